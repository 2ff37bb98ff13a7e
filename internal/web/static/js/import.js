// Follows an import running on the server: updates the progress bar and
// reloads the page once the work is done.
const box = document.getElementById("import-progress");
if (box) {
  const stage = document.getElementById("import-stage");
  const count = document.getElementById("import-count");
  const bar = document.getElementById("import-bar");
  const poll = async () => {
    try {
      const res = await fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (res.ok) {
        const s = await res.json();
        if (!s.en_cours) {
          window.location.reload();
          return;
        }
        stage.textContent = s.etape;
        count.textContent = `${s.fait.toLocaleString("fr-FR")} / ${s.total.toLocaleString("fr-FR")}`;
        bar.value = s.total > 0 ? Math.floor((100 * s.fait) / s.total) : 0;
        bar.textContent = `${bar.value} %`;
      }
    } catch (e) {
      // The server may be restarting: try again.
    }
    setTimeout(poll, 700);
  };
  setTimeout(poll, 400);
}
