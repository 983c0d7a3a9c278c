// Login page: tab switching and the error message from ?error=. The forms post normally
// (no script needed to log in); this only improves the page.
const MESSAGES = {
  invalid: "Those credentials were not accepted.",
  rate: "Too many login attempts. Wait a minute and try again.",
};

const params = new URLSearchParams(location.search);
const error = params.get("error");
const box = document.getElementById("login-error");
if (error && box) {
  box.textContent = MESSAGES[error] ?? "Login failed.";
  box.hidden = false;
}

for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => {
    for (const t of document.querySelectorAll(".tab")) {
      const on = t === tab;
      t.classList.toggle("active", on);
      t.setAttribute("aria-selected", String(on));
    }
    for (const f of document.querySelectorAll("[data-panel]")) {
      f.hidden = f.getAttribute("data-panel") !== tab.getAttribute("data-tab");
    }
  });
}
