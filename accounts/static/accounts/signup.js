// The browser's time zone for the new account, so that "today" on its todos is the user's today.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const field = document.querySelector("input[name=time_zone]");
  if (field) field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
});
