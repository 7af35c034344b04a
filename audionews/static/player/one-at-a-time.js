/* Starting one audio pauses every other on the page (the home page lists several). */

document.addEventListener("play", (event) => {
  for (const other of document.querySelectorAll("audio")) {
    if (other !== event.target) other.pause();
  }
}, true);
