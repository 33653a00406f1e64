using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// The portal's <c>/oauth/authorize/</c> for the local app (docs/bitrix24-api.md, "OAuth authorization code flow"):
/// GET shows a consent page whose form the "user" submits (a script presses Allow, or Deny when
/// <see cref="UserDeclines"/>); the POST sends the browser back to the loopback <c>redirect_uri</c> with <c>code</c>,
/// <c>state</c>, <c>domain</c>, <c>member_id</c>, <c>scope</c> and <c>server_domain</c>, or with
/// <c>error=access_denied</c>. An unknown app or a redirect address off this computer gets an error page and no redirect.
/// </summary>
internal sealed class AuthorizePage(OAuthAuthority oauth, Func<string> domain)
{
    private static readonly TimeSpan PageLifetime = TimeSpan.FromMinutes(15);
    private readonly ConcurrentDictionary<string, Pending> _pending = new();
    private readonly ConcurrentQueue<string> _requests = new();

    private sealed record Pending(string RedirectUri, string State, DateTimeOffset Expires);

    /// <summary>The simulated user presses Deny instead of Allow.</summary>
    public bool UserDeclines { get; set; }
    /// <summary>How long the simulated user looks at the page before pressing a button.</summary>
    public TimeSpan UserDelay { get; set; } = TimeSpan.FromMilliseconds(300);
    /// <summary>The scopes in the app's card: what a sign-in grants.</summary>
    public IReadOnlyList<string> Scopes { get; set; } = DefaultScopes;
    public static readonly IReadOnlyList<string> DefaultScopes = ["calendar", "user_brief"];

    /// <summary>Authorize requests seen: method, path and parameter names, with values only for client_id, response_type and redirect_uri.</summary>
    public IReadOnlyList<string> Requests => _requests.ToArray();

    public void Reset()
    {
        UserDeclines = false;
        UserDelay = TimeSpan.FromMilliseconds(300);
        Scopes = DefaultScopes;
        _pending.Clear();
        _requests.Clear();
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method))
        {
            _requests.Enqueue("GET " + request.Path + "?" + string.Join('&', request.Query.Select(p =>
                p.Key is "client_id" or "response_type" or "redirect_uri" ? p.Key + "=" + p.Value : p.Key)));
            await ShowAsync(context);
        }
        else if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            _requests.Enqueue("POST " + request.Path);
            await DecideAsync(context, await request.ReadFormAsync(context.RequestAborted));
        }
        else
        {
            await HtmlAsync(context, 405, "<p>Method not allowed.</p>");
        }
    }

    private Task ShowAsync(HttpContext context)
    {
        var q = context.Request.Query;
        var clientId = q["client_id"].ToString();
        var redirect = q["redirect_uri"].ToString();
        // Errors show on the portal's page: the app gets no redirect (docs/bitrix24-api.md).
        if (clientId != oauth.ClientId)
            return ErrorPageAsync(context, 404, string.IsNullOrEmpty(clientId) ? "The client_id parameter is missing." : $"The application '{clientId}' is not installed on this Bitrix24.");
        if (!IsLoopbackRedirect(redirect))
            return ErrorPageAsync(context, 400, $"The redirect_uri '{redirect}' does not match the application's handler address (this portal accepts http://localhost, 127.0.0.1 or [::1] on any port).");
        if (q["response_type"].ToString() is { Length: > 0 } type && type != "code")
            return ErrorPageAsync(context, 400, $"The response_type '{type}' is not supported.");

        var flow = RandomNumberGenerator.GetHexString(32, lowercase: true);
        _pending[flow] = new Pending(redirect, q["state"].ToString(), DateTimeOffset.UtcNow + PageLifetime);
        var button = UserDeclines ? "deny" : "allow";
        return HtmlAsync(context, 200, $$"""
            <h1>Bitrix24 sandbox: allow access</h1>
            <form method="post" action="{{Html(context.Request.Path)}}">
            <p>The application asks for access to: {{Html(string.Join(", ", Scopes))}}.</p>
            <input type="hidden" name="flow" value="{{flow}}">
            <button type="submit" id="allow" name="decision" value="allow">Allow</button>
            <button type="submit" id="deny" name="decision" value="deny">Deny</button>
            </form>
            <script>setTimeout(function () { document.getElementById("{{button}}").click(); }, {{(long)UserDelay.TotalMilliseconds}});</script>
            """);
    }

    private Task DecideAsync(HttpContext context, IFormCollection form)
    {
        if (!_pending.TryRemove(form["flow"].ToString(), out var p) || p.Expires < DateTimeOffset.UtcNow)
            return ErrorPageAsync(context, 400, "This authorization page has expired or was already used. Start the sign-in again.");
        (string, string)[] values = form["decision"].ToString() == "allow"
            ? [("code", oauth.IssueCode(Scopes)), ("state", p.State), ("domain", domain()), ("member_id", oauth.MemberId),
               ("scope", string.Join(',', Scopes)), ("server_domain", domain())]
            // Assumed (docs/bitrix24-api.md): a refusal comes back as error=access_denied.
            : [("error", "access_denied"), ("error_description", "The user denied access to the application."), ("state", p.State)];
        context.Response.StatusCode = 302;
        context.Response.Headers.Location = p.RedirectUri + (p.RedirectUri.Contains('?') ? "&" : "?")
            + string.Join('&', values.Select(v => v.Item1 + "=" + Uri.EscapeDataString(v.Item2)));
        context.Response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }

    public static bool IsLoopbackRedirect(string redirect) =>
        Uri.TryCreate(redirect, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment);

    private static Task ErrorPageAsync(HttpContext context, int status, string message) =>
        HtmlAsync(context, status, $"<h1>Authorization error</h1><p id=\"error\">{Html(message)}</p>");

    private static async Task HtmlAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync($"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Bitrix24</title></head><body>{body}</body></html>", context.RequestAborted);
    }

    private static string Html(string? text) => WebUtility.HtmlEncode(text ?? "");
}
