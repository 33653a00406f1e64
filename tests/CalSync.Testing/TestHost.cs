using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace CalSync.Testing;

/// <summary>A PowerShell host that records what a user would see (formatted output, warnings, what-if messages).</summary>
public sealed class TestHost : PSHost
{
    private readonly TestHostUI _ui = new();
    private readonly Guid _id = Guid.NewGuid();

    public override string Name => "CalSyncTestHost";
    public override Version Version => new(1, 0);
    public override Guid InstanceId => _id;
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    /// <summary>Everything written to the host so far.</summary>
    public string Text { get { lock (_ui.Buffer) return _ui.Buffer.ToString(); } }
    public void Clear() { lock (_ui.Buffer) _ui.Buffer.Clear(); }

    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) { }

    private sealed class TestHostUI : PSHostUserInterface
    {
        public readonly StringBuilder Buffer = new();
        private readonly RawUI _raw = new();
        public override PSHostRawUserInterface RawUI => _raw;

        private static readonly System.Text.RegularExpressions.Regex Ansi = new("\x1b\\[[0-9;]*m");
        // The text as a user reads it (colour sequences removed).
        private void Add(string s) { lock (Buffer) Buffer.Append(Ansi.Replace(s, "")); }
        public override void Write(string value) => Add(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Add(value);
        public override void WriteLine(string value) => Add(value + "\n");
        public override void WriteErrorLine(string value) => Add("ERROR: " + value + "\n");
        public override void WriteDebugLine(string message) => Add("DEBUG: " + message + "\n");
        public override void WriteVerboseLine(string message) => Add("VERBOSE: " + message + "\n");
        public override void WriteWarningLine(string message) => Add("WARNING: " + message + "\n");
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override string ReadLine() => throw new InvalidOperationException("The test host never reads input.");
        public override SecureString ReadLineAsSecureString() => throw new InvalidOperationException("The test host never reads input.");
        public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) =>
            throw new InvalidOperationException("The test host never prompts: " + caption);
        public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) =>
            throw new InvalidOperationException("The test host never prompts: " + caption + " " + message);
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new InvalidOperationException("The test host never prompts.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw new InvalidOperationException("The test host never prompts.");
    }

    private sealed class RawUI : PSHostRawUserInterface
    {
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override Coordinates CursorPosition { get; set; }
        public override Coordinates WindowPosition { get; set; }
        public override int CursorSize { get; set; }
        public override Size BufferSize { get; set; } = new(160, 3000);
        public override Size WindowSize { get; set; } = new(160, 50);
        public override Size MaxWindowSize => new(160, 50);
        public override Size MaxPhysicalWindowSize => new(160, 50);
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
