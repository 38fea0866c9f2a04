import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { PDFDocumentProxy } from "pdfjs-dist";
import "./pdf-viewer.css";

type PdfJs = typeof import("pdfjs-dist");
let loading: Promise<PdfJs> | null = null;

/** pdf.js, loaded on first use so the app's first page does not carry it; its worker is served with the app, not from a CDN. */
function pdfjs(): Promise<PdfJs> {
  loading ??= Promise.all([import("pdfjs-dist"), import("pdfjs-dist/build/pdf.worker.min.mjs?url")]).then(([lib, worker]) => {
    lib.GlobalWorkerOptions.workerSrc = worker.default;
    return lib;
  });
  return loading;
}

const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];

/** Text selected inside `root`, spaces and line breaks collapsed as a quote reads. */
function selectedText(root: HTMLElement | null): string {
  const sel = window.getSelection();
  if (!root || !sel || sel.rangeCount === 0 || sel.isCollapsed) return "";
  const range = sel.getRangeAt(0);
  if (!root.contains(range.commonAncestorContainer)) return "";
  return sel.toString().replace(/\s+/g, " ").trim();
}

/**
 * A PDF full text, one page at a time, drawn on a canvas with pdf.js's text
 * layer above it so its words can be selected. "Use as quote" (or Alt+Shift+Q)
 * hands the selection and its page number to `onQuote`.
 */
export function PdfViewer({
  data,
  label,
  target,
  onQuote,
  onClose,
  startPage,
}: {
  /** The PDF's bytes. */
  data: ArrayBuffer;
  /** What the viewer shows, for its accessible name. */
  label: string;
  /** The value a quote goes to (its label), or null when none is being edited. */
  target: string | null;
  onQuote: ((quote: string, page: number) => void) | null;
  onClose: () => void;
  /** The page to open at (e.g. a coded excerpt's); the first when absent or beyond the document. */
  startPage?: number | null;
}) {
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [error, setError] = useState("");
  const [page, setPage] = useState(1);
  const [zoom, setZoom] = useState(2);
  const [pageInput, setPageInput] = useState("1");
  const [hint, setHint] = useState("");
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const textRef = useRef<HTMLDivElement>(null);
  const pageRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let cancelled = false;
    let opened: PDFDocumentProxy | null = null;
    setDoc(null);
    setError("");
    pdfjs()
      // pdf.js takes ownership of the buffer it is given; a copy keeps the caller's usable. No eval: the app's Content-Security-Policy forbids it.
      .then((lib) => lib.getDocument({ data: new Uint8Array(data.slice(0)), isEvalSupported: false }).promise)
      .then((d) => {
        opened = d;
        if (cancelled) void d.destroy();
        else {
          const first = startPage && startPage >= 1 && startPage <= d.numPages ? Math.floor(startPage) : 1;
          setDoc(d);
          setPage(first);
          setPageInput(String(first));
        }
      })
      .catch((e: unknown) => !cancelled && setError(`The PDF could not be opened: ${e instanceof Error ? e.message : String(e)}`));
    return () => {
      cancelled = true;
      if (opened) void opened.destroy();
    };
  }, [data]);

  useEffect(() => {
    if (!doc) return;
    let cancelled = false;
    let cleanup = () => {};
    (async () => {
      const lib = await pdfjs();
      const p = await doc.getPage(page);
      if (cancelled) return;
      const scale = ZOOMS[zoom]!;
      const viewport = p.getViewport({ scale });
      const canvas = canvasRef.current!;
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.style.height = `${Math.floor(viewport.height)}px`;
      pageRef.current!.style.setProperty("--total-scale-factor", String(scale));
      pageRef.current!.style.setProperty("--scale-factor", String(scale));
      pageRef.current!.style.width = `${Math.floor(viewport.width)}px`;
      pageRef.current!.style.height = `${Math.floor(viewport.height)}px`;
      const task = p.render({ canvas, viewport, transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined });
      const text = textRef.current!;
      text.replaceChildren();
      const layer = new lib.TextLayer({ textContentSource: p.streamTextContent(), container: text, viewport });
      cleanup = () => {
        task.cancel();
        layer.cancel();
      };
      await Promise.all([task.promise, layer.render()]);
    })().catch((e: unknown) => {
      if (!cancelled && !(e instanceof Error && e.name === "RenderingCancelledException")) setError(`Page ${page} could not be shown: ${e instanceof Error ? e.message : String(e)}`);
    });
    return () => {
      cancelled = true;
      cleanup();
    };
  }, [doc, page, zoom]);

  const pages = doc?.numPages ?? 0;
  const go = useCallback(
    (n: number) => {
      if (!pages) return;
      const next = Math.min(Math.max(1, n), pages);
      setPage(next);
      setPageInput(String(next));
    },
    [pages],
  );

  const useQuote = useCallback(() => {
    const text = selectedText(textRef.current);
    if (!onQuote || !target) {
      setHint("Choose a value in the form first (click in its field), then select text here.");
      return;
    }
    if (!text) {
      setHint("Select text on the page first.");
      return;
    }
    onQuote(text, page);
    setHint(`Quote from page ${page} put in the source of ${target}.`);
  }, [onQuote, target, page]);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.altKey && e.shiftKey && e.code === "KeyQ") {
        e.preventDefault();
        useQuote();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [useQuote]);

  const onViewerKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target instanceof HTMLInputElement) return;
    if (e.key === "PageDown" || (e.key === "ArrowRight" && !e.altKey)) go(page + 1);
    else if (e.key === "PageUp" || (e.key === "ArrowLeft" && !e.altKey)) go(page - 1);
    else if (e.key === "Home") go(1);
    else if (e.key === "End") go(pages);
    else if (e.key === "+" || e.key === "=") setZoom((z) => Math.min(z + 1, ZOOMS.length - 1));
    else if (e.key === "-") setZoom((z) => Math.max(z - 1, 0));
    else return;
    e.preventDefault();
  };

  return (
    <section className="pdf-viewer stack" aria-label={`Full text: ${label}`} data-pdf-viewer>
      <div className="row pdf-toolbar" role="toolbar" aria-label="Full text pages and zoom">
        <button type="button" onClick={() => go(page - 1)} disabled={page <= 1}>
          Previous page
        </button>
        <label className="row pdf-page-field">
          Page
          <input
            inputMode="numeric"
            size={3}
            value={pageInput}
            aria-label={`Page number, of ${pages}`}
            onChange={(e) => setPageInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                go(Number(pageInput) || page);
              }
            }}
            onBlur={() => go(Number(pageInput) || page)}
          />
          <span>of {pages || "…"}</span>
        </label>
        <button type="button" onClick={() => go(page + 1)} disabled={page >= pages}>
          Next page
        </button>
        <button type="button" onClick={() => setZoom((z) => Math.max(z - 1, 0))} disabled={zoom === 0} aria-label="Zoom out">
          −
        </button>
        <span aria-live="polite" className="small">
          {Math.round(ZOOMS[zoom]! * 100)}%
        </span>
        <button type="button" onClick={() => setZoom((z) => Math.min(z + 1, ZOOMS.length - 1))} disabled={zoom === ZOOMS.length - 1} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={onClose}>
          Close the full text
        </button>
      </div>
      <div className="row">
        <button type="button" onClick={useQuote} aria-keyshortcuts="Alt+Shift+Q" disabled={!onQuote}>
          Use as quote
        </button>
        <span className="muted small">{target ? `For ${target} (Alt+Shift+Q)` : "Click in a value's field to choose where the quote goes."}</span>
      </div>
      {hint ? (
        <p className="small" role="status">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div
        className="pdf-scroll"
        tabIndex={0}
        role="document"
        aria-label={`Page ${page} of ${pages || "…"}; arrow keys or Page Up and Page Down turn pages, + and − zoom`}
        onKeyDown={onViewerKey}
      >
        <div className="pdf-page" ref={pageRef} data-page={page}>
          <canvas ref={canvasRef} aria-hidden="true" />
          <div className="textLayer" ref={textRef} />
        </div>
      </div>
    </section>
  );
}
