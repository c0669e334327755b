// The ballot box's read-only page: the list of elections at "/", one election at "/elections/ID"
// (question, status, number of ballots, and after the tally the result as a bar chart). Built
// with DOM calls only (no HTML from data), no external resources.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const REFRESH_MS = 10000;

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const STATUS_TEXT = {
  scheduled: "not open yet",
  open: "open for voting",
  closed: "closed, tally being computed",
  blinding: "closed, trustees blinding the result",
  decrypting: "closed, waiting for the trustees' decryption",
  tallied: "tallied",
};

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || response.statusText);
  return body;
}

function show(...nodes) {
  const main = document.getElementById("main");
  main.replaceChildren(...nodes);
  return main;
}

function barChart(options, counts, total) {
  const rowHeight = 34, labelWidth = 190, chartWidth = 640, barWidth = chartWidth - labelWidth - 70;
  const max = Math.max(1, ...counts);
  const chart = svg("svg", {
    class: "chart", id: "chart", role: "img", viewBox: `0 0 ${chartWidth} ${rowHeight * options.length}`,
    "aria-label": "Votes per option",
  });
  options.forEach((option, i) => {
    const y = i * rowHeight;
    const row = svg("g", { class: "result-row", "data-option": i, "data-count": counts[i] });
    const label = option.length > 26 ? option.slice(0, 25) + "…" : option;
    row.append(svg("text", { x: 0, y: y + 22 }, label));
    row.append(svg("rect", { class: "track", x: labelWidth, y: y + 6, width: barWidth, height: 22, rx: 4 }));
    row.append(svg("rect", { class: "bar", x: labelWidth, y: y + 6, width: Math.round((barWidth * counts[i]) / max), height: 22, rx: 4 }));
    const share = total > 0 ? ` (${Math.round((100 * counts[i]) / total)}%)` : "";
    row.append(svg("text", { class: "value", x: labelWidth + barWidth + 8, y: y + 22 }, `${counts[i]}${share}`));
    chart.append(row);
  });
  return chart;
}

function renderElection(info) {
  const e = info.election;
  const facts = el("dl", { class: "facts" },
    el("dt", {}, "Status"), el("dd", {}, el("span", { class: "status", id: "status", "data-status": info.status }, STATUS_TEXT[info.status] || info.status)),
    el("dt", {}, "Ballots"), el("dd", {}, el("span", { class: "count", id: "ballot-count" }, String(info.ballots)), ` of ${e.voters.length} voters`),
    el("dt", {}, "Counting"), el("dd", {}, e.kind === "unanimous" ? `unanimous: does every voter choose “${e.options[0]}”?` : "tally of every option"),
    el("dt", {}, "Voting"), el("dd", {}, `${e.opens} to ${e.closes} (UTC)`),
    el("dt", {}, "Trustees"), el("dd", {}, `${e.threshold_key.parties}, any ${e.threshold_key.threshold + 1} decrypt`),
    el("dt", {}, "Election id"), el("dd", {}, el("code", {}, e.id)));
  const card = el("section", { class: "card" }, el("h2", { class: "question", id: "question" }, e.question), facts);
  const nodes = [card];
  if (info.result) {
    const result = el("section", { class: "card", id: "result" }, el("h2", {}, "Result"));
    if (e.kind === "unanimous") {
      const yes = info.result.unanimous === true;
      result.append(el("p", { class: "verdict", id: "verdict", "data-unanimous": String(yes) },
        yes ? `Unanimous: every voter chose “${e.options[0]}”.` : "Not unanimous."));
    } else {
      result.append(barChart(e.options, info.result.counts, info.ballots));
    }
    result.append(el("p", { class: "note" }, "Decrypted by the trustees with proofs; check it with ", el("code", {}, "dkg-vote verify"), "."));
    nodes.push(result);
  } else {
    const list = el("ul", {});
    e.options.forEach((option) => list.append(el("li", {}, option)));
    nodes.push(el("section", { class: "card" }, el("h2", {}, "Options"), list));
  }
  const main = show(...nodes);
  main.dataset.state = "ready";
  document.title = `${e.question} — ballot box`;
  document.getElementById("api-links").textContent = `/api/elections/${e.id}/ballots and /api/elections/${e.id}/result`;
  if (info.status !== "tallied") setTimeout(() => loadElection(e.id), REFRESH_MS);
}

async function loadElection(id) {
  try {
    renderElection(await getJson(`/api/elections/${encodeURIComponent(id)}`));
  } catch (error) {
    show(el("p", { class: "error", id: "message" }, `Cannot load the election: ${error.message}`)).dataset.state = "error";
  }
}

async function loadList() {
  try {
    const { elections } = await getJson("/api/elections");
    const list = el("ul", { class: "elections", id: "elections" });
    for (const e of elections) {
      list.append(el("li", {}, el("a", { href: `/elections/${encodeURIComponent(e.id)}` }, e.question), " — ",
        el("span", { class: "status", "data-status": e.status }, STATUS_TEXT[e.status] || e.status)));
    }
    const nodes = elections.length ? [el("h2", {}, "Elections"), list] : [el("p", { id: "message" }, "No elections yet.")];
    show(...nodes).dataset.state = "ready";
  } catch (error) {
    show(el("p", { class: "error", id: "message" }, `Cannot load the elections: ${error.message}`)).dataset.state = "error";
  }
}

const match = /^\/elections\/([a-z0-9][a-z0-9._-]{0,63})\/?$/.exec(location.pathname);
if (match) loadElection(match[1]);
else loadList();
