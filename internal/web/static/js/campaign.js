// Follows a campaign whose messages go out: updates the counts and the
// progress bar, and reloads the page once nothing is waiting any more.
const box = document.getElementById("campaign-progress");
if (box && box.dataset.url) {
  const count = document.getElementById("campaign-count");
  const bar = document.getElementById("campaign-bar");
  const n = (x) => x.toLocaleString("fr-FR");
  const poll = async () => {
    try {
      const res = await fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (res.ok) {
        const s = await res.json();
        if (!s.en_cours) {
          window.location.reload();
          return;
        }
        count.textContent = `${n(s.envoyes)} messages envoyés sur ${n(s.destinataires)} — ${n(s.en_attente)} en attente`;
        bar.value = s.destinataires > 0 ? Math.floor((100 * s.traites) / s.destinataires) : 0;
        bar.textContent = `${bar.value} %`;
      }
    } catch (e) {
      // The server may be restarting: try again.
    }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 1000);
}
