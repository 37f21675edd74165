// The public web form (S2): fills the selects from the catalogue, checks required fields
// in Persian before sending, shows the server's refusals beside their fields, and never
// clears what was typed unless the ticket was filed.
"use strict";

(function () {
  const API = "/api/v1/portal/form";
  const FA_DIGITS = "۰۱۲۳۴۵۶۷۸۹";

  // field name on the server -> id of the control on the page
  const CONTROLS = {
    name: "name",
    email: "email",
    mobile: "mobile",
    department_id: "department",
    subject_id: "subject",
    urgency: "urgency",
    title: "title",
    text: "text",
    file: "file",
  };

  const REQUIRED = {
    name: "نام خود را بنویسید.",
    email: "نشانی ایمیل را بنویسید.",
    department: "یک واحد را برگزینید.",
    subject: "یک موضوع را برگزینید.",
    title: "عنوان درخواست را بنویسید.",
    text: "شرح درخواست را بنویسید.",
  };

  // the server's stable error codes, in Persian
  const CODES = {
    required: "پر کردن این بخش الزامی است.",
    email_required: "نشانی ایمیل را بنویسید.",
    email_invalid: "نشانی ایمیل معتبر نیست.",
    mobile_invalid: "شمارهٔ تلفن همراه معتبر نیست.",
    too_long: "این متن بیش از اندازه بلند است.",
    invalid_id: "این گزینه معتبر نیست؛ صفحه را دوباره بارگذاری کنید.",
    not_found: "این گزینه دیگر وجود ندارد؛ صفحه را دوباره بارگذاری کنید.",
    subject_not_in_department: "این موضوع از آن واحد نیست.",
    invalid_choice: "این گزینه معتبر نیست.",
    invalid_filename: "نام پرونده معتبر نیست.",
    empty_file: "پرونده خالی است.",
    too_large: "پرونده بزرگ‌تر از اندازهٔ مجاز است.",
    rate_limited: "در چند دقیقهٔ گذشته درخواست‌های زیادی فرستاده شده است؛ کمی بعد دوباره بکوشید.",
  };

  const GENERIC = "درخواست ثبت نشد؛ بخش‌های مشخص‌شده را بررسی کنید.";
  const NETWORK = "ارتباط با کارساز برقرار نشد؛ دوباره بکوشید.";
  const NO_FILE = "پرونده‌ای انتخاب نشده است";
  const LOAD_FAILED = "فهرست واحدها بارگذاری نشد؛ صفحه را دوباره بارگذاری کنید.";

  const $ = (id) => document.getElementById(id);
  const form = $("ticket-form");
  const summary = $("summary");
  let catalog = { departments: [], max_bytes: 0 };

  function toFa(value) {
    return String(value).replace(/[0-9]/g, (d) => FA_DIGITS[Number(d)]);
  }

  function option(value, label) {
    const el = document.createElement("option");
    el.value = value;
    el.textContent = label;
    return el;
  }

  function setError(controlId, message) {
    const control = $(controlId);
    const slot = $(controlId + "-error");
    if (!control || !slot) return;
    slot.textContent = message || "";
    if (message) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
  }

  function clearErrors() {
    Object.values(CONTROLS).forEach((id) => setError(id, ""));
    summary.hidden = true;
    summary.textContent = "";
  }

  function showSummary(message) {
    summary.textContent = message;
    summary.hidden = false;
  }

  function fillSubjects() {
    const select = $("subject");
    const chosen = catalog.departments.find((d) => d.id === $("department").value);
    select.replaceChildren();
    if (!chosen) {
      select.append(option("", "نخست واحد را برگزینید"));
      select.disabled = true;
      return;
    }
    select.append(option("", "یک موضوع را برگزینید"));
    chosen.subjects.forEach((s) => select.append(option(s.id, s.name)));
    select.disabled = false;
  }

  async function loadCatalog() {
    const select = $("department");
    try {
      const reply = await fetch(API + "/catalog", { headers: { Accept: "application/json" } });
      if (!reply.ok) throw new Error(String(reply.status));
      catalog = await reply.json();
    } catch (err) {
      select.replaceChildren(option("", "—"));
      showSummary(LOAD_FAILED);
      return;
    }
    select.replaceChildren(option("", "یک واحد را برگزینید"));
    catalog.departments.forEach((d) => select.append(option(d.id, d.name)));
    if (catalog.max_bytes) {
      const mb = Math.floor((catalog.max_bytes / (1024 * 1024)) * 10) / 10;
      $("file-hint").textContent = "حداکثر اندازهٔ پرونده: " + toFa(mb) + " مگابایت";
    }
    fillSubjects();
    document.body.dataset.ready = "1";
  }

  // what the browser can tell without the server: required fields, a rough email shape
  function checkLocally() {
    let firstBad = null;
    Object.entries(REQUIRED).forEach(([id, message]) => {
      if (!$(id).value.trim()) {
        setError(id, message);
        firstBad = firstBad || id;
      }
    });
    const email = $("email").value.trim();
    if (email && !/^[^@\s]+@[^@\s]+$/.test(email)) {
      setError("email", CODES.email_invalid);
      firstBad = firstBad || "email";
    }
    const file = $("file").files[0];
    if (file && catalog.max_bytes && file.size > catalog.max_bytes * 0.95) {
      setError("file", CODES.too_large);
      firstBad = firstBad || "file";
    }
    if (firstBad) $(firstBad).focus();
    return firstBad === null;
  }

  function showRefusal(status, body) {
    const error = (body && body.error) || {};
    const list = Array.isArray(error.errors) && error.errors.length ? error.errors : [error];
    let firstBad = null;
    list.forEach((e) => {
      const id = CONTROLS[e.field];
      if (!id) return;
      setError(id, CODES[e.code] || CODES[error.code] || GENERIC);
      firstBad = firstBad || id;
    });
    if (status === 413) setError("file", CODES.too_large);
    showSummary(CODES[error.code] && !firstBad ? CODES[error.code] : GENERIC);
    if (firstBad) $(firstBad).focus();
  }

  function showFileName() {
    const file = $("file").files[0];
    $("file-name").textContent = file ? file.name : NO_FILE;
  }

  function showSuccess(number) {
    const strong = document.createElement("strong");
    strong.textContent = toFa(number);
    $("success-text").replaceChildren(
      "درخواست شما با شمارهٔ ",
      strong,
      " ثبت شد. پاسخ به ایمیل شما فرستاده می‌شود."
    );
    $("success").dataset.number = String(number);
    form.hidden = true;
    $("success").hidden = false;
  }

  async function submit(event) {
    event.preventDefault();
    clearErrors();
    if (!checkLocally()) {
      showSummary(GENERIC);
      return;
    }
    const button = $("submit");
    button.disabled = true;
    button.textContent = "در حال ارسال…";
    let reply;
    let body = null;
    try {
      reply = await fetch(API + "/tickets", { method: "POST", body: new FormData(form) });
      try {
        body = await reply.json();
      } catch (err) {
        body = null;
      }
    } catch (err) {
      showSummary(NETWORK);
      return;
    } finally {
      button.disabled = false;
      button.textContent = "ارسال درخواست";
    }
    if (reply.status === 201 && body && body.number) {
      showSuccess(body.number);
      form.reset();
      fillSubjects();
      showFileName();
    } else {
      showRefusal(reply.status, body);
    }
  }

  $("department").addEventListener("change", () => {
    setError("department", "");
    fillSubjects();
  });
  Object.values(CONTROLS).forEach((id) => {
    const control = $(id);
    if (control) control.addEventListener("input", () => setError(id, ""));
  });
  $("file").addEventListener("change", showFileName);
  form.addEventListener("submit", submit);
  $("again").addEventListener("click", () => {
    $("success").hidden = true;
    form.hidden = false;
    $("name").focus();
  });
  loadCatalog();
})();
