// The portrait's "Imprimer" button (no inline script: the CSP forbids it).
for (const b of document.querySelectorAll("[data-print]")) {
  b.addEventListener("click", () => window.print());
}
