using System;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Outlook.Auth;

/// <summary>
/// A sign-in is needed but the run must not prompt (scheduled task, -NonInteractive, or no cached account).
/// The message names the command to run interactively.
/// </summary>
public sealed class SignInRequiredException : SideUnavailableException
{
    public SignInRequiredException(string message, string command, Exception? inner = null)
        : base(Side.Outlook, message, isAuthentication: true, inner)
        => Command = command;

    /// <summary>The command that signs in interactively (e.g. <c>Connect-OutlookCalendar</c>).</summary>
    public string Command { get; }

    internal static SignInRequiredException For(OutlookConnectionOptions options, string? account, string reason, Exception? inner = null)
    {
        var command = options.SignInCommand ?? "Connect-OutlookCalendar" + (string.IsNullOrEmpty(account) ? "" : " -Account " + account);
        return new SignInRequiredException(
            $"Outlook sign-in is required ({reason}). Run '{command}' in an interactive PowerShell session, then run this command again.",
            "Connect-OutlookCalendar", inner);
    }
}
