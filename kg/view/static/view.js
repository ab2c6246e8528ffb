/* The kg graph view: an overview laid out ahead of time, a search box, a focus on any node
   with its neighbours on rings around it (expandable), filters by kind that lay the view out
   again, labels that never overlap, and a side panel of the selected node's links.

   Every text from the graph is set with textContent or drawn on the canvas: never parsed as
   HTML. Links open only http(s) URLs. Nothing is loaded from anywhere. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var NODE = { iri: 0, kind: 1, label: 2, week: 3, arxiv: 4, papers: 5, depth: 6, path: 7 };
  var RING_LIMIT = 60;
  var VIEW_LIMIT = 600;
  var LABEL_FONT = "12px system-ui, -apple-system, 'Segoe UI', sans-serif";
  var LABEL_HEIGHT = 15;
  var LABEL_CHARS = 44;

  var kinds = data.kinds;
  var kindIndex = {};
  kinds.forEach(function (kind, index) { kindIndex[kind.name] = index; });
  var predicates = data.predicates;
  var nodes = data.nodes;
  var byIri = new Map();
  nodes.forEach(function (n, index) { byIri.set(n[NODE.iri], index); });

  function kindOf(i) { return kinds[nodes[i][NODE.kind]]; }
  function labelOf(i) { return nodes[i][NODE.label]; }
  function isPaper(i) { var k = kindOf(i).name; return k === "paper" || k === "article"; }
  function papersOf(i) { return nodes[i][NODE.papers]; }

  /* adjacency: for each node, [other, predicate, direction] (1: this -> other) */
  var adjacency = nodes.map(function () { return []; });
  for (var l = 0; l < data.links.length; l += 3) {
    var s = data.links[l], p = data.links[l + 1], t = data.links[l + 2];
    adjacency[s].push([t, p, 1]);
    adjacency[t].push([s, p, -1]);
  }
  var broader = predicates.findIndex(function (q) { return q.short === "skos:broader"; });

  function newestFirst(a, b) {
    var wa = nodes[a][NODE.week] || "", wb = nodes[b][NODE.week] || "";
    if (wa !== wb) { return wa < wb ? 1 : -1; }
    return labelOf(a).localeCompare(labelOf(b));
  }
  function byKindThenSize(a, b) {
    var ka = nodes[a][NODE.kind], kb = nodes[b][NODE.kind];
    if (ka !== kb) { return ka - kb; }
    if (isPaper(a)) { return newestFirst(a, b); }
    var pa = papersOf(a), pb = papersOf(b);
    if (pa !== pb) { return pb - pa; }
    return labelOf(a).localeCompare(labelOf(b));
  }

  /* the narrower topics of a topic, itself included */
  function topicFamily(i) {
    var family = [i], seen = new Set([i]);
    for (var k = 0; k < family.length; k++) {
      adjacency[family[k]].forEach(function (edge) {
        if (edge[1] === broader && edge[2] === -1 && !seen.has(edge[0])) {
          seen.add(edge[0]);
          family.push(edge[0]);
        }
      });
    }
    return family;
  }

  /* neighbours of a node among shown kinds: a topic's papers include its narrower topics' */
  function neighbours(i, shownKinds) {
    var found = new Set();
    var sources = kindOf(i).name === "topic" ? topicFamily(i) : [i];
    sources.forEach(function (source) {
      adjacency[source].forEach(function (edge) {
        var other = edge[0];
        if (other !== i && shownKinds.has(kindOf(other).name)) { found.add(other); }
      });
    });
    var list = Array.from(found).sort(byKindThenSize);
    var papers = list.filter(isPaper), others = list.filter(function (n) { return !isPaper(n); });
    return {
      nodes: papers.slice(0, RING_LIMIT).concat(others.slice(0, RING_LIMIT)),
      total: list.length,
      papers: papers.length,
      cut: Math.max(papers.length - RING_LIMIT, 0) + Math.max(others.length - RING_LIMIT, 0)
    };
  }

  /* ------------------------------------------------------------------ the network */

  var container = document.getElementById("kg-network");
  var visNodes = new vis.DataSet([]);
  var visEdges = new vis.DataSet([]);
  var network = new vis.Network(container, { nodes: visNodes, edges: visEdges }, data.options);
  window.network = network;

  var status = document.getElementById("kg-status");
  var heading = document.getElementById("kg-heading");
  var details = document.getElementById("kg-details");
  var kindBoxes = [];
  var view = {
    mode: null, centre: null, selected: null, expanded: [], labels: [],
    shown: { nodes: 0, edges: 0 }, cut: 0, ready: false
  };
  window.kgView = view;

  function tooltip(i) {
    var n = nodes[i], parts = [kindOf(i).title];
    if (n[NODE.week]) { parts.push("week " + n[NODE.week]); }
    if (n[NODE.arxiv]) { parts.push("arXiv " + n[NODE.arxiv]); }
    if (n[NODE.papers] >= 0 && !isPaper(i)) { parts.push(plural(n[NODE.papers], "paper", "papers")); }
    return n[NODE.label] + "\n" + parts.join(" · ");
  }

  function visNode(i, x, y, size, emphasis) {
    var kind = kindOf(i);
    return {
      id: i, x: x, y: y, size: size, shape: kind.shape,
      color: { background: kind.colour, border: emphasis ? "#1d2430" : "#ffffff",
               highlight: { background: kind.colour, border: "#1d2430" } },
      borderWidth: emphasis ? 3 : 1, title: tooltip(i)
    };
  }

  function shownKinds() {
    var shown = new Set();
    kindBoxes.forEach(function (box) { if (box.checked) { shown.add(box.value); } });
    return shown;
  }

  function setTitle(text) {
    heading.textContent = text;
    document.title = text + " — kg graph view";
  }

  function plural(count, one, many) {
    return count.toLocaleString("en-US") + " " + (count === 1 ? one : many);
  }

  function draw(items, links) {
    visNodes.clear();
    visEdges.clear();
    visNodes.add(items);
    visEdges.add(links);
    view.shown = { nodes: items.length, edges: links.length };
    network.fit({ animation: false });
    network.moveTo({ scale: network.getScale() * 0.92, animation: false });
    network.redraw();
  }

  function linksAmong(members) {
    var links = [], seen = new Set();
    members.forEach(function (i) {
      adjacency[i].forEach(function (edge) {
        if (edge[2] !== 1 || !members.has(edge[0])) { return; }
        var id = i + ">" + edge[0];
        if (seen.has(id)) { return; }
        seen.add(id);
        links.push({ id: id, from: i, to: edge[0], title: predicates[edge[1]].label });
      });
    });
    return links;
  }

  /* ------------------------------------------------------------------ overview */

  function overviewKey(shown) {
    return ["topic"].concat(data.optionalKinds.filter(function (k) { return shown.has(k); }))
      .join("+");
  }

  function showOverview() {
    var layout = data.overview[overviewKey(shownKinds())];
    view.mode = "overview";
    view.centre = null;
    view.expanded = [];
    view.cut = 0;
    draw(layout.nodes, layout.edges.map(function (e) {
      return Object.assign({ id: e.from + "~" + e.to }, e);
    }));
    var counts = {};
    layout.nodes.forEach(function (n) {
      var name = kindOf(n.id).name;
      counts[name] = (counts[name] || 0) + 1;
    });
    var parts = kinds.filter(function (k) { return counts[k.name]; }).map(function (k) {
      return plural(counts[k.name], k.name, k.plural);
    });
    setTitle("Overview of " + plural(data.meta.papers, "paper", "papers") + ": " + parts.join(", "));
    overviewBoxes(true);
    status.textContent = "Topics sized by papers, linked by the papers they share. " +
      "Click a node to see it, double-click to focus, or search.";
    if (window.history && location.hash) { history.replaceState(null, "", location.pathname); }
  }

  /* ------------------------------------------------------------------ focus */

  var SPACING = 34;
  function ring(count, index) {
    return Math.max(170 * index, count * SPACING / (2 * Math.PI));
  }

  function focusLayout(centre, expanded, shown) {
    var depth = new Map([[centre, 0]]), parent = new Map(), order = [[centre]];
    var cut = 0, total = 0, papers = 0;
    var open = [centre].concat(expanded.filter(function (e) { return e !== centre; }));
    for (var k = 0; k < open.length; k++) {
      var from = open[k];
      if (!depth.has(from)) { continue; }
      var found = neighbours(from, shown);
      if (from === centre) { total = found.total; papers = found.papers; }
      cut += found.cut;
      var level = depth.get(from) + 1;
      found.nodes.forEach(function (n) {
        if (depth.has(n) || depth.size >= VIEW_LIMIT) { return; }
        depth.set(n, level);
        parent.set(n, from);
        (order[level] = order[level] || []).push(n);
      });
    }
    var angle = new Map([[centre, -Math.PI / 2]]), placed = [[centre, 0, 0]];
    order.forEach(function (members, level) {
      if (level === 0) { return; }
      members.sort(function (a, b) {
        var pa = angle.get(parent.get(a)), pb = angle.get(parent.get(b));
        return pa !== pb ? pa - pb : byKindThenSize(a, b);
      });
      var radius = ring(members.length, level);
      var step = Math.min(2 * Math.PI / members.length, SPACING / radius);
      var wanted = members.map(function (n, index) {
        return level === 1 ? -Math.PI / 2 + 2 * Math.PI * index / members.length
                           : angle.get(parent.get(n));
      });
      var angles = [];
      if (level === 1) {
        angles = wanted;
      } else {
        /* each node near its parent's angle, neighbours at least `step` apart */
        var group = 0;
        while (group < members.length) {
          var end = group;
          while (end < members.length && wanted[end] === wanted[group]) { end++; }
          for (var k = group; k < end; k++) {
            angles[k] = wanted[group] + (k - group - (end - group - 1) / 2) * step;
            if (k > 0 && angles[k] < angles[k - 1] + step) { angles[k] = angles[k - 1] + step; }
          }
          group = end;
        }
      }
      members.forEach(function (n, index) {
        angle.set(n, angles[index]);
        placed.push([n, radius * Math.cos(angles[index]), radius * Math.sin(angles[index])]);
      });
    });
    return { placed: placed, cut: cut, total: total, papers: papers };
  }

  function focus(i, keepExpanded) {
    if (i === null || i === undefined) { return; }
    view.mode = "focus";
    overviewBoxes(false);
    if (view.centre !== i && !keepExpanded) { view.expanded = []; }
    view.centre = i;
    var shown = shownKinds();
    shown.add(kindOf(i).name);
    var layout = focusLayout(i, view.expanded, shown);
    var members = new Set(layout.placed.map(function (p) { return p[0]; }));
    select(i);
    draw(
      layout.placed.map(function (p) {
        var size = p[0] === i ? 22 : (isPaper(p[0]) ? 9 : 13);
        return visNode(p[0], p[1], p[2], size, p[0] === i || view.expanded.indexOf(p[0]) >= 0);
      }),
      linksAmong(members)
    );
    view.cut = layout.cut;
    var kind = kindOf(i);
    var what = isPaper(i)
      ? plural(layout.total, "linked node", "linked nodes")
      : plural(layout.papers, "paper", "papers") +
        (layout.total > layout.papers ? " and " + plural(layout.total - layout.papers,
          "other neighbour", "other neighbours") : "");
    setTitle(labelOf(i) + " (" + kind.name + "): " + what);
    status.textContent = "Showing " + plural(view.shown.nodes, "node", "nodes") + " and " +
      plural(view.shown.edges, "link", "links") +
      (layout.cut ? "; " + plural(layout.cut, "older or smaller node", "older or smaller nodes") +
        " not drawn" : "") +
      ". Double-click a node to focus on it; Expand adds its neighbours.";
    if (window.history) {
      history.replaceState(null, "", "#focus=" + encodeURIComponent(nodes[i][NODE.iri]));
    }
  }

  function expand(i) {
    if (view.mode !== "focus") { focus(i); return; }
    if (view.expanded.indexOf(i) < 0 && i !== view.centre) { view.expanded.push(i); }
    focus(view.centre, true);
    select(i);
  }

  function relayout() {
    if (view.mode === "overview") { showOverview(); } else { focus(view.centre, true); }
  }

  /* ------------------------------------------------------------------ labels */

  function overlaps(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }

  function shorten(text) {
    return text.length <= LABEL_CHARS ? text : text.slice(0, LABEL_CHARS - 1).trimEnd() + "…";
  }

  function drawLabels(ctx) {
    var canvas = ctx.canvas, ratio = canvas.width / (canvas.clientWidth || canvas.width);
    var width = canvas.clientWidth, height = canvas.clientHeight, scale = network.getScale();
    var ids = visNodes.getIds();
    var positions = network.getPositions(ids);
    ids.sort(function (a, b) {
      var ea = a === view.centre || a === view.selected ? 0 : 1;
      var eb = b === view.centre || b === view.selected ? 0 : 1;
      if (ea !== eb) { return ea - eb; }
      var sa = visNodes.get(a).size, sb = visNodes.get(b).size;
      return sa !== sb ? sb - sa : byKindThenSize(a, b);
    });
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.font = LABEL_FONT;
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    var placed = [], shapes = new Map();
    ids.forEach(function (id) {
      var point = network.canvasToDOM(positions[id]);
      var radius = visNodes.get(id).size * scale;
      shapes.set(id, { x: point.x - radius, y: point.y - radius, w: 2 * radius, h: 2 * radius });
    });
    var obstacles = Array.from(shapes.values());
    ids.forEach(function (id) {
      var point = network.canvasToDOM(positions[id]);
      var radius = visNodes.get(id).size * scale;
      if (point.x < -200 || point.y < -20 || point.x > width + 20 || point.y > height + 20) {
        return;
      }
      var text = shorten(labelOf(id));
      var w = ctx.measureText(text).width + 4;
      var tries = [
        { x: point.x + radius + 3, y: point.y - LABEL_HEIGHT / 2, w: w, h: LABEL_HEIGHT },
        { x: point.x - radius - 3 - w, y: point.y - LABEL_HEIGHT / 2, w: w, h: LABEL_HEIGHT },
        { x: point.x - w / 2, y: point.y + radius + 2, w: w, h: LABEL_HEIGHT },
        { x: point.x - w / 2, y: point.y - radius - 2 - LABEL_HEIGHT, w: w, h: LABEL_HEIGHT },
        { x: point.x + radius, y: point.y - radius - LABEL_HEIGHT, w: w, h: LABEL_HEIGHT },
        { x: point.x + radius, y: point.y + radius, w: w, h: LABEL_HEIGHT },
        { x: point.x - radius - w, y: point.y - radius - LABEL_HEIGHT, w: w, h: LABEL_HEIGHT },
        { x: point.x - radius - w, y: point.y + radius, w: w, h: LABEL_HEIGHT }
      ];
      var own = shapes.get(id);
      var free = function (t) {
        return t.x >= 0 && t.x + t.w <= width && t.y >= 0 && t.y + t.h <= height &&
          !placed.some(function (other) { return overlaps(t, other); });
      };
      // A label avoids every node; when it cannot (a large node in a dense middle), it may
      // cover smaller nodes, never a larger one and never another label.
      var box = tries.find(function (t) {
        return free(t) && !obstacles.some(function (shape) { return shape !== own && overlaps(t, shape); });
      }) || tries.find(function (t) {
        return free(t) && !obstacles.some(function (shape) {
          return shape !== own && shape.w >= own.w && overlaps(t, shape);
        });
      });
      if (!box) { return; }
      box.text = text;
      box.id = id;
      placed.push(box);
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.strokeText(text, box.x + 2, box.y + LABEL_HEIGHT / 2);
      ctx.fillStyle = id === view.centre ? "#000000" : "#1d2430";
      ctx.fillText(text, box.x + 2, box.y + LABEL_HEIGHT / 2);
    });
    ctx.restore();
    view.labels = placed.map(function (b) {
      return { id: nodes[b.id][NODE.iri], text: b.text, x: b.x, y: b.y, w: b.w, h: b.h };
    });
  }
  network.on("afterDrawing", drawLabels);

  /* ------------------------------------------------------------------ side panel */

  function element(tag, text, className) {
    var made = document.createElement(tag);
    if (text !== undefined && text !== null) { made.textContent = text; }
    if (className) { made.className = className; }
    return made;
  }

  function chip(i) {
    var button = element("button", shorten(labelOf(i)), "kg-chip");
    button.type = "button";
    button.title = labelOf(i);
    button.style.borderLeftColor = kindOf(i).colour;
    button.dataset.node = nodes[i][NODE.iri];
    button.addEventListener("click", function () { select(i); });
    button.addEventListener("dblclick", function () { focus(i); });
    return button;
  }

  function webLink(url, text) {
    if (!/^https?:\/\//i.test(url)) { return null; }
    var link = element("a", text || url);
    link.href = url;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    return link;
  }

  function pageLink(i, text) {
    var path = nodes[i][NODE.path];
    if (!data.meta.pages || !path) { return null; }
    var link = element("a", text);
    link.href = path;
    return link;
  }

  function section(title, members, total) {
    var block = element("section");
    block.appendChild(element("h3", title + " (" + total + ")"));
    var list = element("div", null, "kg-chips");
    members.forEach(function (i) { list.appendChild(chip(i)); });
    block.appendChild(list);
    if (total > members.length) {
      block.appendChild(element("p", "and " + (total - members.length).toLocaleString("en-US") + " more", "kg-more"));
    }
    return block;
  }

  function select(i) {
    view.selected = i;
    details.replaceChildren();
    details.hidden = false;
    var n = nodes[i], kind = kindOf(i);
    var title = element("h2", labelOf(i));
    var facts = element("p", null, "kg-facts");
    facts.appendChild(element("span", kind.title, "kg-kind"));
    facts.lastChild.style.background = kind.colour;
    if (n[NODE.week]) { facts.appendChild(document.createTextNode(" week " + n[NODE.week])); }
    if (n[NODE.papers] >= 0 && !isPaper(i)) {
      facts.appendChild(document.createTextNode(" " + plural(n[NODE.papers], "paper", "papers")));
    }
    var actions = element("p", null, "kg-actions");
    var focusButton = element("button", "Focus");
    focusButton.type = "button";
    focusButton.addEventListener("click", function () { focus(i); });
    var expandButton = element("button", "Expand");
    expandButton.type = "button";
    expandButton.addEventListener("click", function () { expand(i); });
    actions.append(focusButton, expandButton);
    var page = pageLink(i, "Open its page");
    if (page) { actions.appendChild(page); }
    details.append(title, facts, actions);

    var shown = new Set(kinds.map(function (k) { return k.name; }));
    var all = neighbours(i, shown);
    var everything = new Set();
    (kindOf(i).name === "topic" ? topicFamily(i) : [i]).forEach(function (source) {
      adjacency[source].forEach(function (edge) { if (edge[0] !== i) { everything.add(edge[0]); } });
    });
    kinds.forEach(function (k) {
      var members = Array.from(everything).filter(function (j) { return kindOf(j).name === k.name; })
        .sort(byKindThenSize);
      if (!members.length) { return; }
      var limit = k.name === "paper" || k.name === "article" ? 15 : 30;
      var title = k.title === "Person" ? "People" : k.plural.charAt(0).toUpperCase() + k.plural.slice(1);
      details.appendChild(section(title, members.slice(0, limit), members.length));
    });
    if (!isPaper(i) && n[NODE.papers] > all.papers && data.meta.partial) {
      details.appendChild(element("p", "This page holds " + plural(all.papers, "paper", "papers") +
        " of it; the graph has " + n[NODE.papers].toLocaleString("en-US") + ".", "kg-more"));
    }
    var web = data.web[i] || [];
    var arxiv = n[NODE.arxiv];
    if (arxiv || web.length) {
      var block = element("section");
      block.appendChild(element("h3", "Links"));
      var list = element("ul");
      if (arxiv) {
        var item = element("li");
        item.appendChild(webLink("https://arxiv.org/abs/" + encodeURIComponent(arxiv),
                                 "arXiv " + arxiv));
        list.appendChild(item);
      }
      web.forEach(function (w) {
        var link = webLink(w[1], w[0] + ": " + w[1]);
        if (!link) { return; }
        var entry = element("li");
        entry.appendChild(link);
        list.appendChild(entry);
      });
      block.appendChild(list);
      details.appendChild(block);
    }
    details.appendChild(element("p", n[NODE.iri], "kg-iri"));
    network.redraw();
  }
  view.select = function (iri) { select(byIri.get(iri)); };
  view.focus = function (iri) { focus(byIri.get(iri)); };
  view.expand = function (iri) { expand(byIri.get(iri)); };
  view.overview = function () { if (data.overview) { goHome(); } };

  network.on("click", function (params) {
    if (params.nodes.length) { select(params.nodes[0]); }
  });
  network.on("doubleClick", function (params) {
    if (params.nodes.length) { focus(params.nodes[0]); }
  });

  /* ------------------------------------------------------------------ search */

  var searchBox = document.getElementById("kg-search");
  var results = document.getElementById("kg-results");
  var folded = null;
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function search(query) {
    var q = fold(query.trim());
    if (q.length < 2) { return []; }
    if (folded === null) { folded = nodes.map(function (n) { return fold(n[NODE.label]); }); }
    var found = [];
    for (var i = 0; i < nodes.length; i++) {
      var text = folded[i], rank;
      if (nodes[i][NODE.arxiv] === q || text === q) { rank = 0; }
      else if (text.startsWith(q)) { rank = 1; }
      else if (text.indexOf(" " + q) >= 0) { rank = 2; }
      else if (text.indexOf(q) >= 0) { rank = 3; }
      else { continue; }
      found.push([rank, i]);
    }
    found.sort(function (a, b) {
      return a[0] !== b[0] ? a[0] - b[0] : (isPaper(a[1]) !== isPaper(b[1]) ?
        (isPaper(a[1]) ? 1 : -1) : byKindThenSize(a[1], b[1]));
    });
    return found.slice(0, 12).map(function (f) { return f[1]; });
  }
  function showResults() {
    results.replaceChildren();
    var found = search(searchBox.value);
    found.forEach(function (i) {
      var item = element("li");
      var button = element("button", null, "kg-result");
      button.type = "button";
      button.dataset.node = nodes[i][NODE.iri];
      var swatch = element("span", null, "kg-swatch");
      swatch.style.background = kindOf(i).colour;
      button.append(swatch, document.createTextNode(shorten(labelOf(i))),
                    element("small", " " + kindOf(i).name +
                            (nodes[i][NODE.week] ? " · " + nodes[i][NODE.week] : "")));
      button.addEventListener("click", function () {
        results.replaceChildren();
        results.hidden = true;
        focus(i);
      });
      item.appendChild(button);
      results.appendChild(item);
    });
    results.hidden = found.length === 0;
  }
  searchBox.addEventListener("input", showResults);
  searchBox.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      var first = search(searchBox.value)[0];
      if (first !== undefined) { results.replaceChildren(); results.hidden = true; focus(first); }
    } else if (event.key === "Escape") {
      results.replaceChildren();
      results.hidden = true;
    }
  });
  view.search = function (query) {
    return search(query).map(function (i) { return nodes[i][NODE.iri]; });
  };

  /* ------------------------------------------------------------------ filters */

  var legend = document.getElementById("kg-kinds");
  var present = new Set(nodes.map(function (n) { return kinds[n[NODE.kind]].name; }));
  kinds.forEach(function (kind) {
    if (!present.has(kind.name)) { return; }
    var label = element("label");
    var box = element("input");
    box.type = "checkbox";
    box.value = kind.name;
    box.checked = data.hiddenKinds.indexOf(kind.name) < 0;
    box.addEventListener("change", relayout);
    var swatch = element("span", null, "kg-swatch");
    swatch.style.background = kind.colour;
    label.append(box, swatch, document.createTextNode(kind.plural));
    legend.appendChild(label);
    kindBoxes.push(box);
  });
  /* The overview draws no single paper: its paper and article boxes wait for a focus. */
  function overviewBoxes(overview) {
    kindBoxes.forEach(function (box) {
      if (box.value === "paper" || box.value === "article") {
        box.disabled = overview;
        box.parentNode.title = overview ? "Papers appear when you focus on a node" : "";
      }
    });
  }
  view.setKind = function (name, shown) {
    kindBoxes.forEach(function (box) { if (box.value === name) { box.checked = shown; } });
    relayout();
  };

  /* Back to the start: the overview, no node selected, no search left open. */
  function goHome() {
    view.selected = null;
    details.replaceChildren();
    details.hidden = true;
    searchBox.value = "";
    results.replaceChildren();
    results.hidden = true;
    showOverview();
  }

  var home = document.getElementById("kg-home");
  if (data.overview) {
    home.addEventListener("click", goHome);
  } else {
    home.hidden = true;
  }

  /* ------------------------------------------------------------------ start */

  var wanted = /^#focus=(.+)$/.exec(location.hash);
  var start = wanted ? byIri.get(decodeURIComponent(wanted[1])) : undefined;
  if (start !== undefined) {
    focus(start);
  } else if (data.start.centres.length) {
    view.expanded = [];
    var centre = byIri.get(data.start.centres[0]);
    for (var hop = 1; hop < data.start.hops; hop++) {
      var layout = focusLayout(centre, view.expanded, shownKinds());
      layout.placed.forEach(function (p) {
        if (p[0] !== centre && view.expanded.indexOf(p[0]) < 0) { view.expanded.push(p[0]); }
      });
    }
    focus(centre, true);
  } else if (data.overview) {
    showOverview();
  }
  view.ready = true;
})();
