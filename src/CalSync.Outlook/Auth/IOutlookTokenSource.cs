using System.Threading;
using System.Threading.Tasks;

namespace CalSync.Outlook.Auth;

/// <summary>Gives the bearer token for Graph calls. Never prompts: a needed sign-in is a <see cref="SignInRequiredException"/>.</summary>
public interface IOutlookTokenSource
{
    /// <param name="forceRefresh">The last token was rejected (401): get a new one, bypassing the cache.</param>
    Task<string> GetAccessTokenAsync(bool forceRefresh, CancellationToken cancellationToken);
}

/// <summary>Automation mode: a bearer token given by the caller, used as is (no MSAL, no refresh).</summary>
public sealed class AccessTokenSource : IOutlookTokenSource
{
    private readonly string _token;
    private readonly string _command;

    public AccessTokenSource(string accessToken, string? signInCommand = null)
    {
        _command = signInCommand ?? "Connect-OutlookCalendar";
        if (string.IsNullOrWhiteSpace(accessToken)) throw new System.ArgumentException("An access token is required.", nameof(accessToken));
        _token = accessToken.Trim();
    }

    public Task<string> GetAccessTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        if (forceRefresh)
            throw new SignInRequiredException(
                $"Outlook rejected the given access token (expired or revoked). Pass a fresh token with '{_command} -AccessToken ...', or sign in with '{_command}'.",
                "Connect-OutlookCalendar");
        return Task.FromResult(_token);
    }
}
