// The confusion matrix at the end of live training: for the sample's test images, how often
// each true label (rows) was predicted as each label (columns). A table, so a screen reader
// reads every count with its row and column; the diagonal (right answers) is marked in colour
// and in words, and each row ends with how many of that label were right.

export function renderConfusion(el: HTMLElement, m: number[][], labels: string[], what: string): void {
  const total = m.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  const right = m.reduce((s, row, i) => s + row[i], 0);
  const table = document.createElement('table');
  table.className = 'confusion';
  const caption = table.createCaption();
  caption.textContent = `${what}: ${right} of ${total} right (${((100 * right) / Math.max(1, total)).toFixed(1)} %). Rows: the true label; columns: the prediction; the diagonal (outlined) is right.`;
  const head = table.createTHead().insertRow();
  const corner = document.createElement('th');
  corner.textContent = 'true \\ predicted';
  head.append(corner);
  for (const l of labels) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = l;
    head.append(th);
  }
  const body = table.createTBody();
  const top = Math.max(1, ...m.flatMap((row, i) => row.filter((_, j) => j !== i)));
  m.forEach((row, i) => {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = labels[i];
    tr.append(th);
    row.forEach((n, j) => {
      const td = tr.insertCell();
      td.textContent = String(n);
      if (i === j) {
        td.className = 'diag';
        const said = document.createElement('span');
        said.className = 'visually-hidden';
        said.textContent = ' (right)';
        td.append(said);
      } else if (n > 0) {
        // Mistakes shaded by how many: the worst confusions stand out.
        td.style.background = `rgba(213, 87, 58, ${(0.15 + (0.6 * n) / top).toFixed(2)})`;
      }
    });
  });
  el.replaceChildren(table);
  el.dataset.right = String(right);
  el.dataset.total = String(total);
  el.closest<HTMLElement>('.live-confusion')!.hidden = false;
}

export function clearConfusion(el: HTMLElement): void {
  el.replaceChildren();
  delete el.dataset.right;
  delete el.dataset.total;
  el.closest<HTMLElement>('.live-confusion')!.hidden = true;
}
