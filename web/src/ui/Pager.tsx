/** Previous / Next for a list fetched a page at a time; nothing while there is only one page. */
export function Pager({ page, hasMore, onPage }: { page: number; hasMore: boolean; onPage: (page: number) => void }) {
  if (!page && !hasMore) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="button" disabled={!page} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>Page {page + 1}</span>
      <button type="button" className="button" disabled={!hasMore} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}
