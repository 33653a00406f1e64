using System;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace CalSync.Bitrix24;

/// <summary>The user refused, the answer did not match the request, or no answer came: the browser sign-in failed.</summary>
public sealed class Bitrix24SignInException : Exception
{
    public Bitrix24SignInException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>What the portal sent back to the redirect URI. <see cref="Code"/> is a secret (30 seconds, one use).</summary>
public sealed record Bitrix24Authorization(string Code, string? Domain, string? MemberId, string? Scope, string? ServerDomain)
{
    public override string ToString() => $"Bitrix24Authorization {{ Domain = {Domain}, Scope = {Scope} }}";
}

/// <summary>
/// The browser half of the OAuth authorization code flow (docs/bitrix24-api.md, "OAuth authorization code flow"): the
/// portal's authorize address, and a listener on a loopback redirect URI that takes the one answer matching the
/// request's <c>state</c>. The code is exchanged by <see cref="Rest.Bitrix24RestClient.RedeemAuthorizationCodeAsync"/>.
/// </summary>
public sealed class Bitrix24SignIn : IDisposable
{
    private readonly HttpListener _listener = new();

    private Bitrix24SignIn(Uri redirectUri)
    {
        RedirectUri = redirectUri;
        State = Base64Url(RandomNumberGenerator.GetBytes(24));
        _listener.Prefixes.Add(redirectUri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
    }

    /// <summary>Where the portal sends the browser back: http://localhost:&lt;port&gt;/.</summary>
    public Uri RedirectUri { get; }

    /// <summary>The request's random <c>state</c>; an answer carrying another one is refused.</summary>
    public string State { get; }

    /// <summary>
    /// Starts listening on <paramref name="redirectUri"/> (an http loopback address, e.g. the one registered as the
    /// application's handler), or on http://localhost:&lt;a free port&gt;/ when it is null.
    /// </summary>
    public static Bitrix24SignIn Start(Uri? redirectUri)
    {
        redirectUri ??= new Uri($"http://localhost:{FreePort()}/");
        if (!IsLoopbackRedirect(redirectUri))
            throw new ArgumentException($"The redirect URI must be an http address on this computer such as http://localhost:8080/ (got {redirectUri.GetLeftPart(UriPartial.Path)}).", nameof(redirectUri));
        var signIn = new Bitrix24SignIn(redirectUri);
        try { signIn._listener.Start(); }
        catch (HttpListenerException e)
        {
            signIn.Dispose();
            throw new Bitrix24SignInException($"Could not listen on {redirectUri.GetLeftPart(UriPartial.Path)} for the sign-in answer ({e.Message}). Choose another port with -RedirectUri.", e);
        }
        return signIn;
    }

    /// <summary>http on localhost, 127.0.0.1 or [::1], no query or fragment.</summary>
    public static bool IsLoopbackRedirect(Uri uri) =>
        uri.IsAbsoluteUri && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment);

    /// <summary>The portal's authorize page for <paramref name="clientId"/>, answering to <see cref="RedirectUri"/> with <see cref="State"/>.</summary>
    public Uri AuthorizeUri(string portalUrl, string clientId) =>
        new(new Uri(portalUrl.TrimEnd('/') + "/"), "oauth/authorize/"
            + "?client_id=" + Uri.EscapeDataString(clientId)
            + "&response_type=code"
            + "&redirect_uri=" + Uri.EscapeDataString(RedirectUri.AbsoluteUri)
            + "&state=" + Uri.EscapeDataString(State));

    /// <summary>
    /// Waits for the browser to come back with a code. A refusal (<c>error</c>), another <c>state</c> or no answer within
    /// <paramref name="timeout"/> is a <see cref="Bitrix24SignInException"/>; other requests (favicon) are ignored.
    /// </summary>
    public async Task<Bitrix24Authorization> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var stop = limit.Token.Register(() => _listener.Stop());
        while (true)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new Bitrix24SignInException($"No answer came back from the Bitrix24 sign-in within {timeout.TotalSeconds:0} seconds. "
                    + "If Bitrix24 showed an error, check that the application is installed on the portal and that its handler address is "
                    + RedirectUri.GetLeftPart(UriPartial.Path) + " (then give that address with -RedirectUri); otherwise run Connect-Bitrix24 again and finish the sign-in in the browser.", e);
            }
            var query = context.Request.QueryString;
            var code = query["code"];
            var error = query["error"];
            if (context.Request.Url?.AbsolutePath.TrimEnd('/') != RedirectUri.AbsolutePath.TrimEnd('/') || (string.IsNullOrEmpty(code) && string.IsNullOrEmpty(error)))
            {
                await AnswerAsync(context, 404, "Not found.").ConfigureAwait(false);
                continue;
            }
            if (query["state"] != State)
            {
                await AnswerAsync(context, 400, "CalSync did not start this sign-in. Close this window and run Connect-Bitrix24 again.").ConfigureAwait(false);
                throw new Bitrix24SignInException("The Bitrix24 sign-in answer did not carry the state CalSync sent (it may come from another, older sign-in). Run Connect-Bitrix24 again.");
            }
            if (!string.IsNullOrEmpty(error))
            {
                await AnswerAsync(context, 200, "The sign-in was not completed. You can close this window.").ConfigureAwait(false);
                var description = Describe(query["error_description"]);
                throw new Bitrix24SignInException($"The Bitrix24 sign-in was declined ({Describe(error)}{(description.Length > 0 ? ": " + description : "")}). "
                    + "Run Connect-Bitrix24 again and allow the application access to your calendar.");
            }
            await AnswerAsync(context, 200, "CalSync is signed in to Bitrix24. You can close this window.").ConfigureAwait(false);
            return new Bitrix24Authorization(code!, query["domain"], query["member_id"], query["scope"], query["server_domain"]);
        }
    }

    public void Dispose() => ((IDisposable)_listener).Dispose();

    public override string ToString() => $"Bitrix24SignIn {{ RedirectUri = {RedirectUri} }}";

    /// <summary>Text from the redirect shown in a message: printable and short (it comes from whoever called the listener).</summary>
    private static string Describe(string? text)
    {
        var builder = new StringBuilder();
        foreach (var c in text ?? "") if (!char.IsControl(c) && builder.Length < 200) builder.Append(c);
        return builder.ToString().Trim();
    }

    private static async Task AnswerAsync(HttpListenerContext context, int status, string message)
    {
        var body = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>CalSync</title></head><body><p>"
            + WebUtility.HtmlEncode(message) + "</p></body></html>");
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers["Cache-Control"] = "no-store";
        context.Response.ContentLength64 = body.Length;
        try { await context.Response.OutputStream.WriteAsync(body, 0, body.Length).ConfigureAwait(false); }
        catch (HttpListenerException) { } // the browser went away: the answer still counts
        finally { context.Response.Close(); }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        try { return ((IPEndPoint)probe.LocalEndpoint).Port; }
        finally { probe.Stop(); }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
