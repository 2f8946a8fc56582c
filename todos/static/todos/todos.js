// TodoMVC behaviour on top of the server-rendered page. Every action is the form post the page makes
// without JavaScript, sent with fetch and answered in JSON; every URL comes from the page. Changes
// show at once and are rolled back with a message when the server refuses them.
"use strict";

document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  const app = document.querySelector(".todoapp");
  if (!app) return;

  const list = app.querySelector(".todo-list");
  const actions = document.getElementById("todo-actions");
  const newForm = app.querySelector(".new-todo-form");
  const newInput = newForm.querySelector(".new-todo");
  const toggleAll = app.querySelector(".toggle-all");
  const toggleAllUrl = app.querySelector(".toggle-all-button").formAction;
  const clearButton = app.querySelector(".clear-completed");
  const errorBox = app.querySelector(".todo-error");
  const csrfToken = actions.querySelector("[name=csrfmiddlewaretoken]").value;
  const next = actions.querySelector("[name=next]").value;
  const filter = app.dataset.filter;
  const newDue = newForm.querySelector("[name=due]");
  let queue = Promise.resolve();

  const shown = (completed) => filter === "all" || (filter === "completed") === completed;
  const items = () => [...list.children];

  function make(tag, properties, label) {
    const element = Object.assign(document.createElement(tag), properties);
    if (label) element.setAttribute("aria-label", label);
    return element;
  }

  function fragment(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  // The counter comes rendered by the server, in the page's language and its plural rules.
  function showCounts({ active, completed, total }, countHtml) {
    app.querySelector(".todo-count").replaceWith(fragment(countHtml));
    app.querySelector(".main").hidden = total === 0;
    app.querySelector(".footer").hidden = total === 0;
    clearButton.hidden = completed === 0;
    toggleAll.checked = total > 0 && active === 0;
  }

  // The script's own messages are in the page, in its language.
  function explain(response, data) {
    if (data && data.errors) return Object.values(data.errors).flat()[0].message;
    if (data && data.error) return data.error;
    if (response.redirected || response.status === 403) return app.dataset.sessionEnded;
    return app.dataset.notSaved;
  }

  // Requests go one at a time, in the order the user made them.
  function send(url, fields = {}) {
    const body = new FormData();
    body.append("next", next);
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    const request = queue.then(async () => {
      let response;
      try {
        response = await fetch(url, {
          method: "POST",
          body,
          headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
          credentials: "same-origin",
        });
      } catch {
        throw new Error(app.dataset.offline);
      }
      const isJson = (response.headers.get("Content-Type") || "").startsWith("application/json");
      const data = isJson ? await response.json() : null;
      if (!response.ok || response.redirected || !data) throw new Error(explain(response, data));
      errorBox.hidden = true;
      showCounts(data.counts, data.count_html);
      return data;
    });
    queue = request.catch(() => {});
    return request;
  }

  function fail(error) {
    errorBox.textContent = error.message;
    errorBox.hidden = false;
  }

  function setCompleted(li, completed) {
    li.classList.toggle("completed", completed);
    li.querySelector(".toggle").checked = completed;
  }

  newForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const title = newInput.value.trim();
    const due = newDue.value;
    newInput.value = "";
    if (!title) return;
    newDue.value = "";
    try {
      const { todo } = await send(newForm.action, { title, due });
      if (shown(todo.completed)) list.append(fragment(todo.html));
      order();
    } catch (error) {
      if (!newInput.value) [newInput.value, newDue.value] = [title, due];
      fail(error);
    }
  });

  // The script's own controls, for every todo: the checkbox, and the handle to drag it by (mouse or
  // touch). Dragging, Move up and Move down send the todo's new index in the list.
  function order() {
    const lis = items();
    lis.forEach((li, index) => {
      if (!("movable" in app.dataset)) li.querySelector(".move")?.remove();
      const box = { type: "checkbox", className: "toggle", checked: li.classList.contains("completed") };
      if (!li.querySelector(".toggle")) li.firstChild.prepend(make("input", box, app.dataset.completed));
      const [up, down] = li.querySelectorAll(".move button");
      if (!down) return;
      up.hidden = index === 0;
      down.hidden = index === lis.length - 1;
      if (!li.querySelector(".handle")) up.parentNode.append(make("span", { className: "handle", ariaHidden: "true" }));
    });
  }

  // `before`: where the todo goes back to if the server refuses.
  async function move(li, before) {
    order();
    try {
      await send(li.querySelector(".move button").formAction, { position: items().indexOf(li) });
    } catch (error) {
      if (!before || before.parentNode === list) list.insertBefore(li, before);
      order();
      fail(error);
    }
  }

  function moveBy(li, step) {
    const lis = items();
    const to = lis[lis.indexOf(li) + step];
    if (!to) return;
    const before = li.nextElementSibling;
    list.insertBefore(li, step < 0 ? to : to.nextElementSibling);
    move(li, before);
  }

  // The document follows the pointer: moving the todo would end a pointer capture.
  list.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest(".handle");
    if (!handle || event.button > 0) return;
    event.preventDefault();
    const li = handle.closest("li");
    const before = li.nextElementSibling;
    li.classList.add("dragging");
    const follow = ({ clientX, clientY }) => {
      const over = document.elementFromPoint(clientX, clientY)?.closest(".todo-list > li");
      if (!over || over === li) return;
      const box = over.getBoundingClientRect();
      const next = clientY > box.top + box.height / 2 ? over.nextElementSibling : over;
      if (next !== li.nextElementSibling) list.insertBefore(li, next);
    };
    const dragging = new AbortController();
    const drop = () => {
      dragging.abort();
      li.classList.remove("dragging");
      if (li.nextElementSibling !== before) move(li, before);
    };
    document.addEventListener("pointermove", follow, dragging);
    document.addEventListener("pointerup", drop, dragging);
    document.addEventListener("pointercancel", drop, dragging);
  });

  list.addEventListener("change", async (event) => {
    if (!event.target.matches(".toggle")) return;
    const li = event.target.closest("li");
    const completed = event.target.checked;
    setCompleted(li, completed);
    try {
      await send(li.querySelector(".toggle-button").formAction, { completed });
      if (!shown(completed)) li.remove();
    } catch (error) {
      setCompleted(li, !completed);
      fail(error);
    }
  });

  toggleAll.addEventListener("change", async () => {
    const completed = toggleAll.checked;
    const before = items().map((li) => [li, li.classList.contains("completed")]);
    for (const [li] of before) setCompleted(li, completed);
    try {
      await send(toggleAllUrl, { completed });
      if (!shown(completed)) list.replaceChildren();
    } catch (error) {
      for (const [li, was] of before) setCompleted(li, was);
      toggleAll.checked = !completed;
      fail(error);
    }
  });

  async function remove(lis, url, fields) {
    for (const li of lis) li.hidden = true;
    try {
      await send(url, fields);
      for (const li of lis) li.remove();
      order();
    } catch (error) {
      for (const li of lis) li.hidden = false;
      fail(error);
    }
  }

  actions.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = event.submitter;
    if (button.closest(".move")) {
      moveBy(button.closest("li"), button === button.parentNode.firstElementChild ? -1 : 1);
      (button.hidden ? button.parentNode.querySelector("button:not([hidden])") : button).focus();
    }
    if (button.matches(".destroy")) remove([button.closest("li")], button.formAction);
    if (button.matches(".clear-completed")) remove(list.querySelectorAll("li.completed"), button.formAction);
  });

  function edit(li) {
    const title = li.querySelector(".view label").textContent;
    const input = make("input", { className: "edit", value: title }, li.querySelector(".edit-link").textContent);
    const due = li.querySelector(".due")?.getAttribute("datetime") || "";
    li.append(input, make("input", { type: "date", className: "edit-due", value: due }, newDue.labels[0].textContent));
    li.classList.add("editing");
    input.focus();
    input.setSelectionRange(title.length, title.length);
  }

  function stopEditing(li) {
    li.classList.remove("editing");
    li.querySelector(".edit").remove();
    li.querySelector(".edit-due").remove();
  }

  // A double click on the title edits it, as in TodoMVC; so does the Edit link, for the keyboard.
  list.addEventListener("dblclick", (event) => {
    const label = event.target.closest(".view label");
    if (label) edit(label.closest("li"));
  });

  list.addEventListener("click", (event) => {
    const link = event.target.closest(".edit-link");
    if (!link) return;
    event.preventDefault();
    edit(link.closest("li"));
  });

  list.addEventListener("keydown", (event) => {
    if (!event.target.matches(".edit, .edit-due")) return;
    const li = event.target.closest("li");
    if (event.key === "Enter") {
      event.preventDefault();
      save(li);
    } else if (event.key === "Escape") {
      stopEditing(li);
    }
  });

  list.addEventListener("focusout", (event) => {
    const li = event.target.closest("li");
    // Moving between the title and the due date is still editing.
    if (!event.target.matches(".edit, .edit-due") || li.contains(event.relatedTarget)) return;
    save(li);
  });

  async function save(li) {
    if (!li.classList.contains("editing")) return;
    const label = li.querySelector(".view label");
    const title = li.querySelector(".edit").value.trim();
    const due = li.querySelector(".edit-due").value;
    stopEditing(li);
    const before = label.textContent;
    const dueBefore = li.querySelector(".due")?.getAttribute("datetime") || "";
    if (title === before && due === dueBefore) return;
    const url = li.querySelector(".edit-link").href;
    if (!title) {
      await remove([li], url, { title });
      return;
    }
    label.textContent = title;
    try {
      const { todo } = await send(url, { title, due });
      li.querySelector(".view").replaceWith(fragment(todo.html).querySelector(".view"));
      order();
    } catch (error) {
      label.textContent = before;
      fail(error);
    }
  }

  order();
});
