using System;
using System.Threading;
using System.Threading.Tasks;

namespace CalSync.Bitrix24;

/// <summary>A token pair after a refresh (Bitrix24 rotates refresh tokens: the old pair stops working).</summary>
public sealed record Bitrix24Tokens(string AccessToken, string RefreshToken, DateTimeOffset ExpiresAt, string? ClientEndpoint, int? UserId)
{
    public override string ToString() => $"Bitrix24Tokens {{ ExpiresAt = {ExpiresAt:O}, UserId = {UserId} }}";
}

/// <summary>
/// Where the cmdlet layer keeps OAuth tokens. <see cref="SaveAsync"/> must persist atomically (temp file + rename,
/// or the OS key store) before returning: the old refresh token is dead once a new one was issued.
/// </summary>
public interface IBitrix24TokenStore
{
    Task SaveAsync(Bitrix24Tokens tokens, CancellationToken cancellationToken);
}

/// <summary>A parsed incoming webhook URL. Holds a secret: <see cref="ToString"/> shows only the portal.</summary>
public sealed class Bitrix24Webhook
{
    public const string ExpectedShape = "https://<portal>/rest/<user>/<secret>/";

    private Bitrix24Webhook(Uri baseUri, int userId)
    {
        BaseUri = baseUri;
        UserId = userId;
    }

    /// <summary>https://portal/rest/user/secret/ (a secret).</summary>
    internal Uri BaseUri { get; }
    public int UserId { get; }
    public string Host => BaseUri.IsDefaultPort ? BaseUri.Host : BaseUri.Host + ":" + BaseUri.Port;

    /// <summary>Parses a webhook URL; a malformed one gives an <see cref="ArgumentException"/> naming the expected shape (never echoing the URL).</summary>
    public static Bitrix24Webhook Parse(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url!.Trim(), UriKind.Absolute, out var uri))
            throw Malformed("it is not an absolute URL");
        var loopback = uri.IsLoopback;
        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && loopback))
            throw Malformed("it must use https");
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            throw Malformed("it must not have a query or fragment");
        var parts = uri.AbsolutePath.Trim('/').Split('/');
        // Tolerate a trailing method name (e.g. .../profile.json) copied from the portal's example.
        if (parts.Length == 4 && parts[3].Contains(".")) Array.Resize(ref parts, 3);
        if (parts.Length != 3 || !parts[0].Equals("rest", StringComparison.OrdinalIgnoreCase))
            throw Malformed("its path must be /rest/<user>/<secret>/");
        if (!int.TryParse(parts[1], out var user) || user <= 0)
            throw Malformed("<user> must be a positive number");
        if (parts[2].Length < 4)
            throw Malformed("<secret> is missing or too short");
        var baseUri = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/rest/" + user + "/" + parts[2] + "/");
        return new Bitrix24Webhook(baseUri, user);
    }

    internal static string HostForDisplay(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Host : "(invalid URL)";

    private static ArgumentException Malformed(string why) =>
        new($"The Bitrix24 webhook URL is malformed ({why}). Expected {ExpectedShape}, as shown in Bitrix24 under Developer resources > Other > Incoming webhook.", "WebhookUrl");

    public override string ToString() => $"Bitrix24Webhook {{ Host = {Host}, User = {UserId} }}";
}
