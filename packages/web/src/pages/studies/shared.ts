import type { StudyView } from "../../api";

/** An open merge or split form, and the button that opened it (focus goes back there on cancel). */
export type Panel = { kind: "merge"; studyId: string; back: string } | { kind: "split"; studyId: string; reportId: string; back: string };

/** What a report is called on screen: its record's title, else its citation. */
export const reportText = (r: StudyView["reports"][number]): string => r.record?.title || r.citation || r.recordId || "";
