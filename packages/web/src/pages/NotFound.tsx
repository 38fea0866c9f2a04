import { PageTitle } from "../components/PageTitle";
import { Link } from "../router";

export function NotFoundPage() {
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <p>There is no page at this address.</p>
      <p>
        <Link to="/">Go to the project list</Link>
      </p>
    </>
  );
}
