using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace CalSync.QuickStart;

/// <summary>
/// A PowerShell host for scripted sessions (it never reads input) that writes what a user would see: to the console
/// like pwsh (<see cref="ForConsole"/>, the quick start) or into a buffer (<see cref="Recording"/>, the tests, which
/// compile this file into tests/CalSync.Testing: a program cannot be referenced by them without building the module).
/// </summary>
public sealed class ScriptHost : PSHost
{
    private static readonly System.Text.RegularExpressions.Regex Ansi = new("\x1b\\[[0-9;]*m");
    private readonly HostUI _ui;
    private readonly Guid _id = Guid.NewGuid();
    private readonly string _name;
    private readonly CultureInfo _culture;
    private readonly StringBuilder? _buffer;

    private ScriptHost(string name, CultureInfo culture, HostUI ui, StringBuilder? buffer)
    {
        (_name, _culture, _ui, _buffer) = (name, culture, ui, buffer);
    }

    /// <summary>Writes to the console: colours on a terminal, plain text when the output goes to a file or pipe.</summary>
    public static ScriptHost ForConsole()
    {
        string Text(string value) => Console.IsOutputRedirected ? Ansi.Replace(value, "") : value;
        var ui = new HostUI(value => Console.Write(Text(value)), Environment.NewLine, errorPrefix: "",
            () => Console.IsOutputRedirected ? 140 : Math.Max(80, Console.WindowWidth));
        return new ScriptHost("CalSync.QuickStart", CultureInfo.CurrentCulture, ui, buffer: null);
    }

    /// <summary>Records the text as a user reads it (colours removed, errors marked), invariant culture, 160 columns.</summary>
    public static ScriptHost Recording()
    {
        var buffer = new StringBuilder();
        var ui = new HostUI(value => { lock (buffer) buffer.Append(Ansi.Replace(value, "")); }, "\n", errorPrefix: "ERROR: ", () => 160);
        return new ScriptHost("CalSyncTestHost", CultureInfo.InvariantCulture, ui, buffer);
    }

    public override string Name => _name;
    public override Version Version => new(1, 0);
    public override Guid InstanceId => _id;
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => _culture;
    public override CultureInfo CurrentUICulture => _culture;

    /// <summary>Everything written to a recording host so far.</summary>
    public string Text { get { if (_buffer is null) return ""; lock (_buffer) return _buffer.ToString(); } }
    public void Clear() { if (_buffer is not null) lock (_buffer) _buffer.Clear(); }

    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) { }

    private sealed class HostUI(Action<string> write, string newLine, string errorPrefix, Func<int> width) : PSHostUserInterface
    {
        private readonly Raw _raw = new(width);
        public override PSHostRawUserInterface RawUI => _raw;
        public override void Write(string value) => write(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => write(value);
        public override void WriteLine(string value) => write(value + newLine);
        public override void WriteErrorLine(string value) => write(errorPrefix + value + newLine);
        public override void WriteDebugLine(string message) => write("DEBUG: " + message + newLine);
        public override void WriteVerboseLine(string message) => write("VERBOSE: " + message + newLine);
        public override void WriteWarningLine(string message) => write("WARNING: " + message + newLine);
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override string ReadLine() => throw new InvalidOperationException("The script host never reads input.");
        public override SecureString ReadLineAsSecureString() => throw new InvalidOperationException("The script host never reads input.");
        public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) =>
            throw new InvalidOperationException("The script host never prompts: " + caption);
        public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) =>
            throw new InvalidOperationException("The script host never prompts: " + caption + " " + message);
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new InvalidOperationException("The script host never prompts.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw new InvalidOperationException("The script host never prompts.");
    }

    private sealed class Raw(Func<int> width) : PSHostRawUserInterface
    {
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override Coordinates CursorPosition { get; set; }
        public override Coordinates WindowPosition { get; set; }
        public override int CursorSize { get; set; }
        public override Size BufferSize { get => new(width(), 3000); set { } }
        public override Size WindowSize { get => new(width(), 50); set { } }
        public override Size MaxWindowSize => new(width(), 50);
        public override Size MaxPhysicalWindowSize => new(width(), 50);
        public override bool KeyAvailable => false;
        public override string WindowTitle { get; set; } = "";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
