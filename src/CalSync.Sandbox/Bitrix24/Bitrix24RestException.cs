namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// A REST error as Bitrix24 answers it: <c>{"error":Code,"error_description":Description}</c> with <see cref="Status"/>.
/// Calendar business errors have an empty code and status 400 (docs/bitrix24-api.md, "The answer envelope").
/// </summary>
public sealed class Bitrix24RestException(string code, string description, int status = 400) : Exception(description)
{
    public string Code { get; } = code;
    public string Description { get; } = description;
    public int Status { get; } = status;

    internal static Bitrix24RestException Business(string description) => new("", description);
}

/// <summary>
/// A PHP <c>Error</c> (not an <c>Exception</c>): <c>CRestServer</c> catches only exceptions, so the whole request, a
/// batch included, ends in Bitrix's 500 error page instead of a JSON answer (docs/bitrix24-api.md, "RRULE in and out").
/// </summary>
internal sealed class PhpFatalError(string message) : Exception(message)
{
    /// <summary><c>HttpExceptionHandlerOutput</c>'s English text without extended error messages.</summary>
    public const string Page = "The script encountered an error and will be aborted. To view extended error messages, enable this feature in "
        + "<a href='https://www.bitrixsoft.com/support/training/course/index.php?COURSE_ID=68&LESSON_ID=5962'>.settings.php</a>.";
}
