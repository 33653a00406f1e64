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
