using System;

namespace CalSync.Outlook.Auth;

/// <summary>The user declined or cancelled the interactive sign-in (in the browser): nothing else is tried.</summary>
public sealed class SignInDeclinedException : Exception
{
    public SignInDeclinedException(string message, Exception? inner = null) : base(message, inner) { }
}
