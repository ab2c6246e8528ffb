/* Search of the site's index page: every node with a page, matched on its folded label (or
   arXiv id); results are links made with textContent, never HTML. */
(function () {
  "use strict";
  var index = window.kgSearchIndex || { kinds: [], nodes: [] };
  var box = document.getElementById("search-box");
  var results = document.getElementById("results");
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var folded = index.nodes.map(function (n) { return fold(n[0]); });
  function search(query) {
    var q = fold(query.trim());
    if (q.length < 2) { return []; }
    var found = [];
    for (var i = 0; i < folded.length; i++) {
      var text = folded[i], rank;
      if (text === q || index.nodes[i][4] === q) { rank = 0; }
      else if (text.startsWith(q)) { rank = 1; }
      else if (text.indexOf(" " + q) >= 0) { rank = 2; }
      else if (text.indexOf(q) >= 0) { rank = 3; }
      else { continue; }
      found.push([rank, index.nodes[i][1], i]);
    }
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    return found.slice(0, 30).map(function (f) { return index.nodes[f[2]]; });
  }
  function show() {
    results.replaceChildren();
    search(box.value).forEach(function (node) {
      var item = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "kind " + index.kinds[node[1]];
      kind.textContent = index.kinds[node[1]];
      var link = document.createElement("a");
      link.href = node[2];
      link.textContent = node[0];
      item.append(kind, " ", link);
      if (node[3]) { item.append(" ", Object.assign(document.createElement("span"), {
        className: "count", textContent: node[3] })); }
      results.appendChild(item);
    });
  }
  box.addEventListener("input", show);
  window.kgSearch = search;
})();
