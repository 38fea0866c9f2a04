import { useState } from "react";
import { ErrorMessage, Loading } from "../../components/Status";
import { useApi } from "../../hooks";
import { figureUrl, reviewApi, type FigureName } from "./reviewApi";
import "./review.css";

/**
 * A server-rendered review figure: the SVG, its caption, the long text
 * description (for readers who cannot see it) and downloads of the image
 * and of the data behind it.
 */
export function FigurePanel({ projectId, name, query = {} }: { projectId: string; name: FigureName; query?: { tool?: string; palette?: "cochrane" | "colourblind"; rows?: string } }) {
  const key = JSON.stringify(query);
  const { data, error, loading } = useApi((s) => reviewApi.figure(projectId, name, query, s), [projectId, name, key]);
  const [full, setFull] = useState(false);
  return (
    <section className="stack review-figure" aria-label={data?.title ?? "Figure"}>
      <ErrorMessage error={error} />
      {loading && !data ? <Loading what="figure" /> : null}
      {data ? (
        <figure>
          {/* At full size the figure scrolls in its own box (reachable by keyboard), never the page. */}
          <div
            className={`figure-scroll ${full ? "figure-full" : "figure-fit"}`}
            tabIndex={full ? 0 : undefined}
            role={full ? "region" : undefined}
            aria-label={full ? `${data.title}, full size` : undefined}
          >
            <img src={figureUrl(projectId, name, query, "svg")} alt={data.alt} />
          </div>
          <figcaption>
            <strong>{data.title}</strong>
          </figcaption>
          <details>
            <summary>Long description</summary>
            <LongDescription text={data.description} />
          </details>
          <p className="row">
            <button type="button" className="button-secondary" aria-pressed={full} onClick={() => setFull((f) => !f)}>
              {full ? "Fit to width" : "Show full size"}
            </button>
            <a className="button button-secondary" href={figureUrl(projectId, name, query, "svg", true)} download>
              Download SVG
            </a>
            <a className="button button-secondary" href={figureUrl(projectId, name, query, "png", true)} download>
              Download PNG
            </a>
            <a className="button button-secondary" href={figureUrl(projectId, name, query, "csv")} download>
              Download data (CSV)
            </a>
          </p>
        </figure>
      ) : null}
    </section>
  );
}

/** Paragraphs separated by blank lines; lines starting "- " become list items. */
export function LongDescription({ text }: { text: string }) {
  return (
    <div className="long-description">
      {text.split(/\n\n/).map((block, i) => {
        const lines = block.split("\n");
        if (lines.every((l) => l.startsWith("- ")))
          return (
            <ul key={i}>
              {lines.map((l, j) => (
                <li key={j}>{l.slice(2)}</li>
              ))}
            </ul>
          );
        return (
          <p key={i} style={{ whiteSpace: "pre-line" }}>
            {block}
          </p>
        );
      })}
    </div>
  );
}
