// Passkeys (WebAuthn) for the second-factor pages: ask the server for options, let the browser (the phone's
// screen lock or a security key) answer, send the answer back. Works on browsers without the newer JSON
// helpers too, so older phones can use passkeys.
(function () {
  "use strict";

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBytes(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var out = { id: credential.id, rawId: toText(credential.rawId), type: credential.type, response: {
      clientDataJSON: toText(response.clientDataJSON) }, clientExtensionResults: {} };
    if (credential.authenticatorAttachment) { out.authenticatorAttachment = credential.authenticatorAttachment; }
    if (response.attestationObject) {
      out.response.attestationObject = toText(response.attestationObject);
      out.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(response.authenticatorData);
      out.response.signature = toText(response.signature);
      out.response.userHandle = toText(response.userHandle);
    }
    return out;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? "{}" : JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          var problem = new Error(data.detail || response.statusText);
          problem.fromServer = true;
          throw problem;
        }
        return data;
      });
    });
  }

  function failed(button) {
    return function (error) {
      // The server's messages are in the person's language; the browser's own (a cancelled prompt) are not.
      showError(error && error.fromServer ? error.message : button.getAttribute("data-failed") || String(error));
      button.disabled = false;
    };
  }

  function showError(message) {
    var box = document.getElementById("passkey-error");
    if (box) { box.textContent = message; box.hidden = false; }
  }

  function nextQuery(button) {
    var next = button.getAttribute("data-next") || new URLSearchParams(window.location.search).get("next");
    return next ? "?next=" + encodeURIComponent(next) : "";
  }

  function signIn(button) {
    post(button.getAttribute("data-options-url")).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.allowCredentials = withBytes(options.allowCredentials);
      return navigator.credentials.get({ publicKey: options });
    }).then(function (credential) {
      var trust = document.querySelector(button.getAttribute("data-trust") || "#none");
      return post(button.getAttribute("data-url") + nextQuery(button),
        { credential: credentialJSON(credential), trust: !!(trust && trust.checked) });
    }).then(function (data) { window.location.assign(data.redirect); }, failed(button));
  }

  function add(button) {
    var nameInput = document.querySelector(button.getAttribute("data-name") || "#none");
    post(button.getAttribute("data-options-url")).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.user.id = toBytes(options.user.id);
      options.excludeCredentials = withBytes(options.excludeCredentials);
      return navigator.credentials.create({ publicKey: options });
    }).then(function (credential) {
      return post(button.getAttribute("data-url") + nextQuery(button),
        { credential: credentialJSON(credential), name: nameInput ? nameInput.value : "" });
    }).then(function (data) { window.location.assign(data.redirect); }, failed(button));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-passkey]") : null;
    if (!button) { return; }
    if (!window.PublicKeyCredential) {
      showError(button.getAttribute("data-unsupported") || "This browser cannot use passkeys. Use a code instead.");
      return;
    }
    button.disabled = true;
    if (button.getAttribute("data-passkey") === "add") { add(button); } else { signIn(button); }
  });
})();
