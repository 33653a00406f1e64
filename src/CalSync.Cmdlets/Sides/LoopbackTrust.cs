using System;
using System.Net.Http;
using System.Net.Security;

namespace CalSync.PowerShell.Sides;

/// <summary>
/// The sign-in HTTP handler for an authority on this machine (the sandbox's stand-in): its self-signed certificate is
/// accepted for loopback hosts only. Every other host is validated as usual.
/// </summary>
internal static class LoopbackTrust
{
    public static bool IsLoopback(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var u) && u.IsLoopback;

    public static Func<HttpMessageHandler>? For(string? authority) =>
        IsLoopback(authority)
            ? () => new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (request, _, _, errors) =>
                    errors == SslPolicyErrors.None || request.RequestUri is { IsLoopback: true },
            }
            : null;
}
