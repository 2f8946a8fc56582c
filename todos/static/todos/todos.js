// TodoMVC behaviour on top of the server-rendered page. Every action is the same form post the
// page makes without JavaScript, sent with fetch and answered in JSON; every URL comes from the
// page. Changes show at once and are rolled back with a message when the server refuses them.
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
  let queue = Promise.resolve();

  const shown = (completed) => filter === "all" || (filter === "completed") === completed;
  const items = () => [...list.children];

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
    newInput.value = "";
    if (!title) return;
    try {
      const { todo } = await send(newForm.action, { title });
      if (shown(todo.completed)) list.append(fragment(todo.html));
    } catch (error) {
      if (!newInput.value) newInput.value = title;
      fail(error);
    }
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
      const { todos } = await send(toggleAllUrl, { completed });
      list.replaceChildren(...todos.filter((todo) => shown(todo.completed)).map((todo) => fragment(todo.html)));
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
    } catch (error) {
      for (const li of lis) li.hidden = false;
      fail(error);
    }
  }

  actions.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = event.submitter;
    if (button.matches(".destroy")) remove([button.closest("li")], button.formAction);
    if (button.matches(".clear-completed")) remove(list.querySelectorAll("li.completed"), button.formAction);
  });

  // The field to edit a title in is made when it is needed: the page without the script has no use for it.
  function edit(li) {
    const input = document.createElement("input");
    input.className = "edit";
    input.setAttribute("aria-label", li.querySelector(".edit-link").textContent);
    input.value = li.querySelector(".view label").textContent;
    li.append(input);
    li.classList.add("editing");
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  function stopEditing(li) {
    li.classList.remove("editing");
    li.querySelector(".edit").remove();
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
    if (!event.target.matches(".edit")) return;
    const li = event.target.closest("li");
    if (event.key === "Enter") {
      event.preventDefault();
      save(li);
    } else if (event.key === "Escape") {
      stopEditing(li);
    }
  });

  list.addEventListener("focusout", (event) => {
    if (event.target.matches(".edit")) save(event.target.closest("li"));
  });

  async function save(li) {
    if (!li.classList.contains("editing")) return;
    const label = li.querySelector(".view label");
    const title = li.querySelector(".edit").value.trim();
    stopEditing(li);
    const before = label.textContent;
    if (title === before) return;
    const url = li.querySelector(".edit-link").href;
    if (!title) {
      await remove([li], url, { title });
      return;
    }
    label.textContent = title;
    try {
      const { todo } = await send(url, { title });
      label.textContent = todo.title;
    } catch (error) {
      label.textContent = before;
      fail(error);
    }
  }
});
