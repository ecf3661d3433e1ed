// The designer's preview buttons: each opens the participant pages in a window of a tablet's or
// a phone's size (data-preview-size="WIDTHxHEIGHT"). Without this script, or where the browser
// refuses to size a window, the link opens the preview in a new tab at the browser's own size.
for (const link of document.querySelectorAll("[data-preview-size]")) {
  link.addEventListener("click", (event) => {
    const [width, height] = link.dataset.previewSize.split("x").map(Number);
    const opened = window.open(link.href, `qsort-preview-${width}`, `popup,width=${width},height=${height}`);
    if (opened) event.preventDefault();
  });
}
