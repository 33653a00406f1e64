using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace CalSync.Sandbox.Graph;

/// <summary>
/// The authorization-code flow with PKCE as a public client drives it through the system browser:
/// <c>GET /{tenant}/oauth2/v2.0/authorize</c> shows a sign-in page for the mailbox's account whose form the
/// "user" submits (a script clicks Accept, or Decline when <see cref="UserDeclines"/>); the answer goes back to the
/// loopback redirect URI as a 302 (response_mode query/fragment) or an auto-posting form (form_post, which
/// MSAL.NET 4.92 asks for). The token endpoint redeems a code once, within <see cref="CodeLifetime"/>, for the
/// same client and redirect URI, with the verifier whose S256 hash is the challenge.
/// </summary>
internal sealed class AuthorizationCodeFlow
{
    /// <summary>Parameters whose values the request log keeps; every other one (state, code_challenge, login_hint, …) is logged by name only.</summary>
    private static readonly HashSet<string> LoggedValues = new(StringComparer.Ordinal)
        { "client_id", "response_type", "response_mode", "redirect_uri", "scope", "code_challenge_method", "prompt" };

    private readonly ConcurrentDictionary<string, Pending> _pending = new();
    private readonly ConcurrentDictionary<string, Grant> _codes = new();
    private readonly ConcurrentDictionary<string, bool> _spent = new();

    /// <summary>The simulated user presses Decline instead of Accept.</summary>
    public bool UserDeclines { get; set; }
    /// <summary>How long the simulated user looks at the sign-in page before pressing a button.</summary>
    public TimeSpan UserDelay { get; set; } = TimeSpan.FromMilliseconds(300);
    /// <summary>How long an issued code can be redeemed (the real service: about 10 minutes).</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    private sealed record Pending(string ClientId, string RedirectUri, string ResponseMode, string State, string Scope, string Challenge, DateTimeOffset Expires);
    private sealed record Grant(string ClientId, string RedirectUri, string Scope, string Challenge, DateTimeOffset Expires);

    /// <summary>The log line of an authorize request: values of harmless parameters, names of the rest.</summary>
    public static string Describe(IQueryCollection query) =>
        string.Join('&', query.Select(p => LoggedValues.Contains(p.Key) ? p.Key + "=" + p.Value : p.Key));

    /// <summary>GET: validates the request and answers the sign-in page (or the error the real service gives).</summary>
    public Task AuthorizeAsync(HttpContext context, string email, string displayName)
    {
        var q = context.Request.Query;
        var clientId = q["client_id"].ToString();
        var redirect = q["redirect_uri"].ToString();
        // Without a valid client and redirect URI the service cannot send the user back: it shows the error itself.
        if (!Guid.TryParse(clientId, out _))
            return ErrorPageAsync(context, string.IsNullOrEmpty(clientId)
                ? "AADSTS900144: The request body must contain the following parameter: 'client_id'."
                : $"AADSTS700016: Application with identifier '{clientId}' was not found in the directory.");
        if (!IsLoopbackRedirect(redirect))
            return ErrorPageAsync(context, $"AADSTS50011: The redirect URI '{redirect}' specified in the request does not match the redirect URIs configured for the application '{clientId}'. "
                + "A public client's redirect URI must be http://localhost (any port and path).");

        var state = q["state"].ToString();
        var mode = q["response_mode"].ToString() is { Length: > 0 } m ? m : "query";
        if (mode is not ("query" or "fragment" or "form_post"))
            return ErrorPageAsync(context, $"AADSTS900144: The response_mode '{mode}' is not supported.");
        string? error = null;
        if (q["response_type"].ToString() != "code")
            error = "unsupported_response_type|AADSTS700054: response_type '" + q["response_type"] + "' is not enabled for the application.";
        else if (string.IsNullOrEmpty(q["scope"]))
            error = "invalid_request|AADSTS900144: The request body must contain the following parameter: 'scope'.";
        else if (string.IsNullOrEmpty(state))
            error = "invalid_request|AADSTS900144: The request body must contain the following parameter: 'state'.";
        else if (string.IsNullOrEmpty(q["code_challenge"]))
            error = "invalid_request|AADSTS900144: The request body must contain the following parameter: 'code_challenge'.";
        else if (q["code_challenge_method"].ToString() != "S256")
            error = "invalid_request|AADSTS501491: Invalid code_challenge_method '" + q["code_challenge_method"] + "': only S256 is accepted.";
        if (error is not null)
        {
            var (code, description) = (error[..error.IndexOf('|')], error[(error.IndexOf('|') + 1)..]);
            return RespondAsync(context, redirect, mode, [("error", code), ("error_description", description), ("state", state)]);
        }

        var flow = SignInEndpoints.Base64Url(RandomNumberGenerator.GetBytes(24));
        _pending[flow] = new Pending(clientId, redirect, mode, state, q["scope"].ToString(), q["code_challenge"].ToString(), DateTimeOffset.UtcNow.AddMinutes(15));
        var action = context.Request.Path.Value;
        // The script stands in for the user's click; the default short delay lets MSAL start its loopback
        // listener, which it does only after the browser process has been started.
        var button = UserDeclines ? "decline" : "accept";
        var page = $$"""
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>Sign in to your account</title></head>
            <body>
            <h1>CalSync sandbox sign-in</h1>
            <form method="post" action="{{Html(action)}}">
            <p>Let this app access your calendars as <b>{{Html(displayName)}}</b> ({{Html(email)}})?</p>
            <input type="hidden" name="flow" value="{{flow}}">
            <button type="submit" id="accept" name="decision" value="accept">Accept</button>
            <button type="submit" id="decline" name="decision" value="decline">Decline</button>
            </form>
            <script>setTimeout(function () { document.getElementById("{{button}}").click(); }, {{(long)UserDelay.TotalMilliseconds}});</script>
            </body></html>
            """;
        return HtmlAsync(context, 200, page);
    }

    /// <summary>POST from the sign-in page: the user's decision goes back to the redirect URI.</summary>
    public Task DecideAsync(HttpContext context, IFormCollection form)
    {
        if (!_pending.TryRemove(form["flow"].ToString(), out var p) || p.Expires < DateTimeOffset.UtcNow)
            return ErrorPageAsync(context, "AADSTS90014: The sign-in session has expired or was already used. Start the sign-in again.");
        if (form["decision"].ToString() != "accept")
            return RespondAsync(context, p.RedirectUri, p.ResponseMode,
                [("error", "access_denied"), ("error_description", "AADSTS65004: User declined to consent to access the app."), ("state", p.State)]);
        var code = "M.C5" + SignInEndpoints.Base64Url(RandomNumberGenerator.GetBytes(48));
        _codes[code] = new Grant(p.ClientId, p.RedirectUri, p.Scope, p.Challenge, DateTimeOffset.UtcNow + CodeLifetime);
        return RespondAsync(context, p.RedirectUri, p.ResponseMode, [("code", code), ("state", p.State)]);
    }

    /// <summary>Redeems a code (grant_type=authorization_code): null when valid, else the invalid_grant description.</summary>
    public string? Redeem(IFormCollection form, out string scope)
    {
        scope = "";
        // A code is spent by its first redemption attempt, successful or not (RFC 6749 §4.1.2).
        var code = form["code"].ToString();
        if (!_codes.TryRemove(code, out var grant))
            return _spent.ContainsKey(code)
                ? "AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."
                : "AADSTS70000: The provided value for the 'code' parameter is not valid.";
        _spent[code] = true;
        if (grant.Expires < DateTimeOffset.UtcNow)
            return "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.";
        if (form["client_id"].ToString() != grant.ClientId)
            return "AADSTS70000: The provided authorization code was issued to a different client.";
        if (form["redirect_uri"].ToString() != grant.RedirectUri)
            return "AADSTS50011: The redirect URI specified in the token request does not match the one the authorization code was issued for.";
        var verifier = form["code_verifier"].ToString();
        if (verifier.Length == 0 || SignInEndpoints.Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.Challenge)
            return "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.";
        scope = form["scope"].ToString() is { Length: > 0 } s ? s : grant.Scope;
        return null;
    }

    public static bool IsLoopbackRedirect(string redirect) =>
        Uri.TryCreate(redirect, UriKind.Absolute, out var uri) && uri.Scheme == "http"
        && uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment);

    private static Task RespondAsync(HttpContext context, string redirect, string mode, (string Name, string Value)[] values)
    {
        if (mode == "form_post")
        {
            var inputs = string.Concat(values.Select(v => $"<input type=\"hidden\" name=\"{v.Name}\" value=\"{Html(v.Value)}\">"));
            return HtmlAsync(context, 200, $$"""
                <!DOCTYPE html>
                <html><head><title>Working...</title></head>
                <body><form method="post" name="hiddenform" action="{{Html(redirect)}}">{{inputs}}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript></form>
                <script>document.forms[0].submit();</script></body></html>
                """);
        }
        var encoded = string.Join('&', values.Select(v => v.Name + "=" + Uri.EscapeDataString(v.Value)));
        context.Response.StatusCode = 302;
        context.Response.Headers.Location = redirect + (mode == "fragment" ? "#" : "?") + encoded;
        context.Response.Headers.CacheControl = "no-store, no-cache";
        return Task.CompletedTask;
    }

    private static Task ErrorPageAsync(HttpContext context, string description) =>
        HtmlAsync(context, 400, $"<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><h1>Sorry, but we're having trouble signing you in.</h1><p id=\"error\">{Html(description)}</p></body></html>");

    private static async Task HtmlAsync(HttpContext context, int status, string html)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store, no-cache";
        await context.Response.WriteAsync(html, context.RequestAborted);
    }

    private static string Html(string? text) => WebUtility.HtmlEncode(text ?? "");
}
