using System;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Bitrix24.Rest;

/// <summary>
/// Bitrix24 answered with an error that concerns the request itself (for calendar methods usually HTTP 400 with an
/// empty code and a localized text). Never carries the webhook URL.
/// </summary>
public sealed class Bitrix24ApiException : Exception
{
    public Bitrix24ApiException(string method, int httpStatus, string code, string description)
        : base($"Bitrix24 {method} failed (HTTP {httpStatus}{(code.Length > 0 ? ", " + code : "")}): {description}")
    {
        Method = method;
        HttpStatus = httpStatus;
        Code = code;
        Description = description;
    }

    public string Method { get; }
    public int HttpStatus { get; }
    /// <summary>The error code; empty for calendar business errors.</summary>
    public string Code { get; }
    /// <summary>The server's text (localized; show it, never match on it).</summary>
    public string Description { get; }
}

internal enum RetryReason { QueryLimit, OperatingLimit, Transient }

/// <summary>A failure worth retrying (rate limits, transient server or network trouble).</summary>
internal sealed class RetriableException : Exception
{
    public RetriableException(RetryReason reason, string message, DateTimeOffset? resetAt = null, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
        ResetAt = resetAt;
    }

    public RetryReason Reason { get; }
    public DateTimeOffset? ResetAt { get; }
}

/// <summary>Maps Bitrix24's auth and permission codes to clear, non-retried <see cref="SideUnavailableException"/>s.</summary>
internal static class AuthErrors
{
    public static bool IsAuthCode(string code) => code switch
    {
        "INVALID_CREDENTIALS" or "NO_AUTH_FOUND" or "insufficient_scope" or "invalid_scope" or "expired_token" or "invalid_token"
            or "invalid_grant" or "invalid_client" or "ACCESS_DENIED" or "user_access_error" or "authorization_error"
            or "WRONG_AUTH_TYPE" or "METHOD_CONFIRM_WAITING" or "METHOD_CONFIRM_DENIED" or "PAYMENT_REQUIRED"
            or "ERROR_METHOD_NOT_FOUND" => true,
        _ => false,
    };

    public static bool IsAuthFailure(int status, string code) =>
        IsAuthCode(code) || status == 401 || (status == 403 && code.Length > 0);

    public static SideUnavailableException Create(string method, int status, string code, string description, bool webhook)
    {
        var who = webhook ? "webhook" : "OAuth application";
        var message = code switch
        {
            "insufficient_scope" or "invalid_scope" =>
                $"The Bitrix24 {who} lacks the 'calendar' scope (insufficient_scope on {method}). Edit the {who} in Bitrix24 and grant the calendar scope.",
            "ERROR_METHOD_NOT_FOUND" =>
                $"Bitrix24 does not offer {method} to these credentials: the {who} probably lacks the 'calendar' scope.",
            "INVALID_CREDENTIALS" => webhook
                ? "Bitrix24 rejected the webhook (INVALID_CREDENTIALS): its secret is wrong, or the webhook was deleted, regenerated or has expired. Create an incoming webhook with the 'calendar' scope and connect again."
                : "Bitrix24 rejected the OAuth credentials (INVALID_CREDENTIALS). Sign in again.",
            "NO_AUTH_FOUND" => $"Bitrix24 found no valid authorization in the request (NO_AUTH_FOUND). Check the {who} and connect again.",
            "invalid_token" or "invalid_grant" =>
                $"The Bitrix24 authorization was revoked or is no longer valid ({code}). Sign in to Bitrix24 again to grant access.",
            "expired_token" => "The Bitrix24 access token has expired and could not be refreshed. Sign in to Bitrix24 again.",
            "invalid_client" => "Bitrix24 rejected the OAuth application's client id or secret (invalid_client).",
            "ACCESS_DENIED" => $"Bitrix24 denied access ({code}): REST may be unavailable on this plan, or the {who}'s user may not use it.",
            "user_access_error" => "The Bitrix24 user does not have access to the application (user_access_error).",
            "WRONG_AUTH_TYPE" => $"Bitrix24 does not allow {method} with this kind of authorization (WRONG_AUTH_TYPE).",
            "PAYMENT_REQUIRED" => "The Bitrix24 application requires payment (PAYMENT_REQUIRED).",
            _ => $"Bitrix24 refused the {who}'s authorization (HTTP {status}{(code.Length > 0 ? ", " + code : "")}). Connect again.",
        };
        return new SideUnavailableException(Side.Bitrix24, message, isAuthentication: true);
    }
}
