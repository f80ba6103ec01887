// Workmate web UI: the few live parts (theme, menu, timer, confirmations). No framework.
"use strict";

(function () {
  const root = document.documentElement;
  const csrf = () => document.body.dataset.csrf || "";

  // Theme: remembered in a cookie so the server renders the right one without a flash.
  function setTheme(theme) {
    root.dataset.theme = theme;
    document.cookie = "wm_theme=" + theme + "; path=/; max-age=31536000; samesite=lax";
  }
  function currentTheme() {
    if (root.dataset.theme) return root.dataset.theme;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  // Destructive actions ask first; the question is in the form's data-confirm attribute.
  // One dialog for all of them: the question, "Cancel" (focused, so Enter never destroys
  // by accident) and the form's own button, in the same style as on the page.
  function askFirst(form, question, submitter) {
    const dialog = document.createElement("dialog");
    dialog.className = "confirm";
    dialog.setAttribute("aria-labelledby", "confirm-question");
    const text = document.createElement("p");
    text.id = "confirm-question";
    text.textContent = question;
    const actions = document.createElement("div");
    actions.className = "form-actions";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = document.body.dataset.cancelLabel || "Cancel";
    const ok = document.createElement("button");
    ok.type = "button";
    const source = submitter || form.querySelector("button[type=submit], button:not([type])");
    ok.textContent = (source && (source.getAttribute("aria-label") || source.textContent.trim())) || "OK";
    ok.className = source && source.classList.contains("primary") ? "primary" : "danger";
    actions.append(ok, cancel);
    dialog.append(text, actions);
    document.body.append(dialog);
    dialog.addEventListener("close", function () { dialog.remove(); });
    cancel.addEventListener("click", function () { dialog.close(); });
    ok.addEventListener("click", function () {
      dialog.close();
      form.dataset.confirmed = "true";
      if (form.requestSubmit) form.requestSubmit(source || undefined); else form.submit();
    });
    dialog.showModal();
    cancel.focus();
  }
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const question = form.dataset && form.dataset.confirm;
    if (!question) return;
    if (form.dataset.confirmed) { delete form.dataset.confirmed; return; }
    event.preventDefault();
    if (typeof HTMLDialogElement === "function") askFirst(form, question, event.submitter);
    else if (window.confirm(question)) { form.dataset.confirmed = "true"; form.submit(); }
  });

  function pad(n) { return String(n).padStart(2, "0"); }
  function formatElapsed(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    return Math.floor(s / 3600) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
  }

  function initTimer(box) {
    const button = box.querySelector("[data-timer-button]");
    const output = box.querySelector("[data-elapsed]");
    const select = box.querySelector("select");
    let tick = null;

    function render() {
      const started = box.dataset.started;
      if (started) {
        output.textContent = formatElapsed(Date.now() - Date.parse(started));
        box.classList.add("running");
        button.textContent = box.dataset.labelStop;
        if (select) select.disabled = true;
      } else {
        output.textContent = "0:00:00";
        box.classList.remove("running");
        button.textContent = box.dataset.labelStart;
        if (select) select.disabled = false;
      }
    }
    function schedule() {
      if (tick) clearInterval(tick);
      tick = box.dataset.started ? setInterval(render, 1000) : null;
      render();
    }
    async function call(path, body) {
      const response = await fetch(box.dataset.api + path, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: JSON.stringify(body || {}),
      });
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }
    // The pause button (working time): a break between two timer runs, recorded as such.
    const pauseButton = box.querySelector("[data-pause-button]");
    function renderPause() {
      if (!pauseButton) return;
      const paused = box.dataset.paused === "true";
      pauseButton.hidden = !(box.dataset.started || paused);
      pauseButton.textContent = paused ? pauseButton.dataset.labelResume : pauseButton.dataset.labelPause;
      button.hidden = paused;
      box.classList.toggle("paused", paused);
      if (paused) output.textContent = pauseButton.dataset.labelPaused;
    }
    async function pauseCall(path, method) {
      const response = await fetch(pauseButton.dataset.api + path, {
        method: method,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: method === "POST" ? "{}" : undefined,
      });
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }
    if (pauseButton) {
      pauseButton.addEventListener("click", async function () {
        pauseButton.disabled = true;
        try {
          if (box.dataset.paused === "true") {
            const entry = await pauseCall("/resume", "POST");
            delete box.dataset.paused;
            box.dataset.started = entry.start_time;
            box.dataset.entry = entry.id;
          } else {
            await pauseCall("/pause", "POST");
            box.dataset.paused = "true";
            delete box.dataset.started;
            delete box.dataset.entry;
          }
          schedule();
          renderPause();
          document.dispatchEvent(new CustomEvent("workmate:timer"));
        } catch (err) {
          window.alert(box.dataset.error);
        } finally {
          pauseButton.disabled = false;
        }
      });
      if (!box.dataset.started) {
        pauseCall("/pause", "GET").then(function (pause) {
          if (pause) { box.dataset.paused = "true"; renderPause(); }
        }).catch(function () {});
      }
    }

    button.addEventListener("click", async function () {
      button.disabled = true;
      try {
        if (box.dataset.started) {
          await call("/timer/stop");
          delete box.dataset.started;
          delete box.dataset.entry;
        } else {
          const entry = await call("/timer/start", { project_id: select ? select.value : null });
          box.dataset.started = entry.start_time;
          box.dataset.entry = entry.id;
        }
        schedule();
        renderPause();
        document.dispatchEvent(new CustomEvent("workmate:timer"));
      } catch (err) {
        window.alert(box.dataset.error);
      } finally {
        button.disabled = false;
      }
    });
    schedule();
    renderPause();
  }


  // Dashboard: widgets placed on a 12-column grid from data-x/y/w/h; moved and resized by
  // dragging or with the arrow keys on their handles; the layout is saved on drop.
  const COLUMNS = 12;

  function initBoard(board) {
    const widgets = Array.from(board.querySelectorAll("[data-widget]"));
    const status = document.querySelector("[data-board-status]");
    const spot = (el) => ({
      id: el.dataset.widget,
      x: Number(el.dataset.x), y: Number(el.dataset.y),
      w: Number(el.dataset.w), h: Number(el.dataset.h),
    });
    function place(el, s) {
      el.dataset.x = s.x; el.dataset.y = s.y; el.dataset.w = s.w; el.dataset.h = s.h;
      el.style.setProperty("--x", s.x + 1);
      el.style.setProperty("--y", s.y + 1);
      el.style.setProperty("--w", s.w);
      el.style.setProperty("--h", s.h);
    }
    function overlaps(a, b) {
      return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    }
    function fits(el, s) {
      if (s.x < 0 || s.y < 0 || s.w < 1 || s.h < 1 || s.x + s.w > COLUMNS) return false;
      return widgets.every((o) => o === el || !overlaps(s, spot(o)));
    }
    let saved = widgets.map(spot);
    widgets.forEach((el) => place(el, spot(el)));
    if (!board.dataset.save) return;

    function say(text) { if (status) status.textContent = text; }
    async function save() {
      const layout = { widgets: widgets.map(spot) };
      try {
        const response = await fetch(board.dataset.save, {
          method: "PUT",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
          body: JSON.stringify({ layout_json: layout }),
        });
        if (!response.ok) throw new Error(String(response.status));
        saved = layout.widgets;
        board.dataset.savedAt = String(Date.now());
        say(status.dataset.saved);
      } catch (err) {
        // The server refused (or is unreachable): back to the last saved layout.
        widgets.forEach((el) => place(el, saved.find((s) => s.id === el.dataset.widget)));
        say(status.dataset.failed);
      }
    }
    function cell(event) {
      const rect = board.getBoundingClientRect();
      const style = getComputedStyle(board);
      const gap = parseFloat(style.columnGap) || 0;
      // Rows grow with their content: use the mean of the rows as laid out now.
      const rows = style.gridTemplateRows.split(" ").map(parseFloat).filter(Number.isFinite);
      const rowHeight = rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : 52;
      const colWidth = (rect.width - gap * (COLUMNS - 1)) / COLUMNS;
      return {
        col: Math.floor((event.clientX - rect.left) / (colWidth + gap)),
        row: Math.floor((event.clientY - rect.top) / (rowHeight + gap)),
      };
    }
    widgets.forEach(function (el) {
      const move = el.querySelector("[data-move]");
      const resize = el.querySelector("[data-resize]");
      function drag(handle, apply) {
        handle.addEventListener("pointerdown", function (down) {
          down.preventDefault();
          handle.setPointerCapture(down.pointerId);
          const start = spot(el);
          const from = cell(down);
          el.classList.add("dragging");
          function onMove(event) {
            const at = cell(event);
            const next = apply(start, at.col - from.col, at.row - from.row);
            if (fits(el, next)) place(el, next);
          }
          function onUp() {
            handle.removeEventListener("pointermove", onMove);
            handle.removeEventListener("pointerup", onUp);
            el.classList.remove("dragging");
            const now = spot(el);
            if (now.x !== start.x || now.y !== start.y || now.w !== start.w || now.h !== start.h) save();
          }
          handle.addEventListener("pointermove", onMove);
          handle.addEventListener("pointerup", onUp);
        });
        handle.addEventListener("keydown", function (event) {
          const steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
          const step = steps[event.key];
          if (!step) return;
          event.preventDefault();
          const next = apply(spot(el), step[0], step[1]);
          if (fits(el, next)) { place(el, next); save(); }
        });
      }
      if (move) drag(move, (s, dx, dy) => ({ id: s.id, x: s.x + dx, y: s.y + dy, w: s.w, h: s.h }));
      if (resize) drag(resize, (s, dx, dy) => ({ id: s.id, x: s.x, y: s.y, w: s.w + dx, h: s.h + dy }));
    });
  }


  // Project chat: history rendered by the server; new messages arrive over the API's
  // WebSocket (from every user and app process); posting goes through the API.
  function initChat(box) {
    const list = box.querySelector("[data-messages]");
    const form = box.querySelector("[data-chat-form]");
    const locale = document.body.dataset.locale || "de-DE";
    const stamp = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" });

    function append(m) {
      if (list.querySelector('[data-id="' + m.id + '"]')) return;
      const empty = box.querySelector("[data-empty]");
      if (empty) empty.remove();
      const item = document.createElement("li");
      item.dataset.id = m.id;
      const who = document.createElement("strong");
      who.textContent = m.author_name;
      const when = document.createElement("time");
      when.dateTime = m.created_at;
      when.textContent = stamp.format(new Date(m.created_at));
      const text = document.createElement("p");
      text.textContent = m.message;
      item.append(who, " ", when, text);
      list.append(item);
      list.scrollTop = list.scrollHeight;
    }

    let retry = 1000;
    function connect() {
      const scheme = location.protocol === "https:" ? "wss://" : "ws://";
      const socket = new WebSocket(scheme + location.host + box.dataset.api + "/chat/ws");
      socket.addEventListener("open", function () {
        retry = 1000;
        box.dataset.live = "true";
      });
      socket.addEventListener("message", function (event) {
        const data = JSON.parse(event.data);
        if (data.type === "message") append(data.message);
      });
      socket.addEventListener("close", function () {
        delete box.dataset.live;
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 30000);
      });
    }
    connect();

    if (form) form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const field = form.querySelector("textarea");
      const text = field.value;
      if (!text.trim()) return;
      try {
        const response = await fetch(box.dataset.api + "/messages", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
          body: JSON.stringify({ message: text }),
        });
        if (!response.ok) throw new Error(String(response.status));
        append(await response.json());
        field.value = "";
      } catch (err) {
        window.alert(box.dataset.error);
      }
    });
    list.scrollTop = list.scrollHeight;
  }


  // Draft editor: a live preview of the item being typed and the invoice total it leads to.
  // The server computes the real amounts (rounding per line and per VAT rate) on save.
  function initLineForm(form) {
    const locale = document.body.dataset.locale || "de-DE";
    const decimal = (1.5).toLocaleString(locale).charAt(1);
    const money = new Intl.NumberFormat(locale, { style: "currency", currency: form.dataset.currency });
    const out = form.querySelector("[data-preview]");
    function num(name) {
      const field = form.elements.namedItem(name);
      if (!field || !field.value.trim()) return name === "discount_percent" ? 0 : NaN;
      const group = decimal === "," ? /\./g : /,/g;
      return Number(field.value.trim().replace(group, "").replace(decimal, "."));
    }
    const cents = (x) => Math.round(x * 100) / 100;
    function update() {
      const net = cents(num("quantity") * num("unit_price") * (1 - num("discount_percent") / 100));
      if (!Number.isFinite(net)) { out.textContent = ""; return; }
      const tax = cents(net * num("vat_rate") / 100);
      const total = Number(form.dataset.net) + Number(form.dataset.tax) + net + tax;
      out.textContent = out.dataset.label
        .replace("%(net)s", money.format(net))
        .replace("%(total)s", money.format(total));
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }


  // Documents: drop files on the zone (or pick them); each is sent to the documents API,
  // which checks size and type; the page then reloads to list it.
  function initDropzone(zone) {
    const input = zone.querySelector("[data-file-input]");
    const status = zone.querySelector("[data-upload-status]");
    async function upload(files) {
      // data-each: every file is sent on its own and a refusal of one (a duplicate, a broken
      // invoice) does not stop the others; the outcome of each is listed.
      const each = zone.hasAttribute("data-each");
      const failures = [];
      for (const file of files) {
        status.textContent = status.dataset.busy + " " + file.name;
        const body = new FormData();
        if (zone.dataset.module) {
          body.append("linked_module", zone.dataset.module);
          body.append("linked_id", zone.dataset.object);
          body.append("title", file.name);
        }
        body.append("file", file, file.name);
        const response = await fetch(zone.dataset.api, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf() },
          body: body,
        });
        if (!response.ok) {
          let reason = String(response.status);
          try { reason = (await response.json()).detail || reason; } catch (e) { /* not JSON */ }
          const message = zone.dataset.error.replace("%(reason)s", reason);
          if (!each) {
            status.textContent = message;
            return;
          }
          failures.push(file.name + ": " + message);
        }
      }
      if (failures.length) {
        status.textContent = "";
        const list = document.createElement("ul");
        list.setAttribute("data-upload-failures", "");
        failures.forEach(function (text) {
          const item = document.createElement("li");
          item.textContent = text;
          list.appendChild(item);
        });
        status.appendChild(list);
        if (failures.length < files.length) {
          const again = document.createElement("a");
          again.href = window.location.pathname;
          again.textContent = zone.dataset.reload || "↻";
          status.appendChild(again);
        }
        return;
      }
      window.location.reload();
    }
    ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("over");
    }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, function () {
      zone.classList.remove("over");
    }));
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      upload(Array.from(event.dataTransfer.files));
    });
    input.addEventListener("change", function () { upload(Array.from(input.files)); });
  }

  // Statement import: the file goes to the statements API (multipart, CSRF header); the page
  // then shows the statements of that file with what the import checked and matched.
  function initStatementUpload(form) {
    const status = form.querySelector("[data-upload-status]");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const input = form.querySelector("input[type=file]");
      if (!input.files.length) { input.focus(); return; }
      status.textContent = form.dataset.busy;
      const body = new FormData();
      body.append("account_id", form.querySelector("[name=account_id]").value);
      body.append("file", input.files[0], input.files[0].name);
      let response;
      try {
        response = await fetch(form.dataset.api, {
          method: "POST", credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf() }, body: body,
        });
      } catch (e) { status.textContent = form.dataset.error.replace("%(reason)s", String(e)); return; }
      let data = {};
      try { data = await response.json(); } catch (e) { /* not JSON */ }
      if (!response.ok) {
        status.textContent = form.dataset.error.replace("%(reason)s", data.detail || String(response.status));
        return;
      }
      window.location.href = "/banking/statements?file=" + encodeURIComponent(data.file.id);
    });
  }

  // A form sending a file to an API (multipart, CSRF header): every field of the form goes
  // along; on success the page moves to data-next, on refusal the API's reason is shown.
  function initFileUpload(form) {
    const status = form.querySelector("[data-upload-status]");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const input = form.querySelector("input[type=file]");
      if (!input.files.length) { input.focus(); return; }
      status.textContent = form.dataset.busy;
      let response;
      try {
        response = await fetch(form.dataset.api, {
          method: form.dataset.method || "POST", credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf(), "Accept-Language": document.documentElement.lang },
          body: new FormData(form),
        });
      } catch (e) { status.textContent = form.dataset.error.replace("%(reason)s", String(e)); return; }
      let data = {};
      try { data = await response.json(); } catch (e) { /* not JSON */ }
      if (!response.ok) {
        // The API answers in English; the page carries its own words per error code.
        const reason = form.dataset["error" + data.error] || data.detail || String(response.status);
        status.textContent = form.dataset.error.replace("%(reason)s", reason);
        return;
      }
      window.location.href = form.dataset.next;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const toggle = document.querySelector("[data-theme-toggle]");
    if (toggle) toggle.addEventListener("click", function () {
      const theme = currentTheme() === "dark" ? "light" : "dark";
      setTheme(theme);
      // The dashboard keeps the choice for the employee's other browsers too.
      if (toggle.dataset.save) {
        fetch(toggle.dataset.save, {
          method: "PUT",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
          body: JSON.stringify({ theme: theme }),
        }).catch(function () { /* the cookie still holds the choice here */ });
      }
    });
    const menu = document.querySelector("[data-menu-toggle]");
    if (menu) menu.addEventListener("click", function () {
      const nav = document.getElementById(menu.getAttribute("aria-controls"));
      const open = nav.classList.toggle("open");
      menu.setAttribute("aria-expanded", String(open));
    });
    document.querySelectorAll("[data-timer]").forEach(initTimer);
    document.querySelectorAll("[data-board]").forEach(initBoard);
    document.querySelectorAll("[data-chat]").forEach(initChat);
    document.querySelectorAll("[data-line-form]").forEach(initLineForm);
    document.querySelectorAll("[data-dropzone]").forEach(initDropzone);
    document.querySelectorAll("[data-statement-upload]").forEach(initStatementUpload);
    document.querySelectorAll("[data-file-upload]").forEach(initFileUpload);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    // Copy a read-only field (an invitation link) to the clipboard; where the Clipboard API
    // is missing (plain http on a LAN address) the selected text is copied the old way.
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        const field = document.getElementById(button.dataset.copy);
        if (!field) return;
        field.select();
        const done = function () { button.textContent = button.dataset.copied || button.textContent; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () {
            if (document.execCommand("copy")) done();
          });
        } else if (document.execCommand("copy")) {
          done();
        }
      });
    });
  });
})();
