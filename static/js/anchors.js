// A link such as /threads/7#post-45 keeps working when post 45 is on another page:
// if the anchor is not on this page, ask the server which page holds it.
(function () {
  var match = /^#post-(\d+)$/.exec(window.location.hash);
  if (match && !document.getElementById("post-" + match[1])) {
    var base = window.location.pathname.replace(/\/$/, "");
    window.location.replace(base + "/posts/" + match[1]);
  }
})();
