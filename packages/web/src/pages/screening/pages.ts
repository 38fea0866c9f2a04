export { FullTextPage, TitleAbstractPage } from "./ScreenPage";
export { ConflictsPage } from "./ConflictsPage";
export { AgreementPage } from "./AgreementPage";
export { SettingsPage } from "./SettingsPage";
export { SimulationPage } from "./SimulationPage";
