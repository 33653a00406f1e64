using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace CalSync.QuickStart;

/// <summary>A minimal PowerShell host that writes to the console like pwsh does (no input: the session is scripted).</summary>
internal sealed class ConsoleHost : PSHost
{
    private readonly HostUI _ui = new();
    private readonly Guid _id = Guid.NewGuid();

    public override string Name => "CalSync.QuickStart";
    public override Version Version => new(1, 0);
    public override Guid InstanceId => _id;
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) { }

    private sealed class HostUI : PSHostUserInterface
    {
        private readonly Raw _raw = new();
        public override PSHostRawUserInterface RawUI => _raw;
        private static readonly System.Text.RegularExpressions.Regex Ansi = new("\x1b\\[[0-9;]*m");
        // Colours on a terminal; plain text when the output goes to a file or pipe.
        private static string Text(string value) => Console.IsOutputRedirected ? Ansi.Replace(value, "") : value;
        public override void Write(string value) => Console.Write(Text(value));
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Console.Write(Text(value));
        public override void WriteLine(string value) => Console.WriteLine(Text(value));
        public override void WriteErrorLine(string value) => Console.WriteLine(value);
        public override void WriteDebugLine(string message) => Console.WriteLine("DEBUG: " + message);
        public override void WriteVerboseLine(string message) => Console.WriteLine("VERBOSE: " + message);
        public override void WriteWarningLine(string message) => Console.WriteLine("WARNING: " + message);
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override string ReadLine() => throw new NotSupportedException();
        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();
        public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => throw new NotSupportedException();
        public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();
    }

    private sealed class Raw : PSHostRawUserInterface
    {
        private static int Width => Console.IsOutputRedirected ? 140 : Math.Max(80, Console.WindowWidth);
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override Coordinates CursorPosition { get; set; }
        public override Coordinates WindowPosition { get; set; }
        public override int CursorSize { get; set; }
        public override Size BufferSize { get => new(Width, 3000); set { } }
        public override Size WindowSize { get => new(Width, 50); set { } }
        public override Size MaxWindowSize => new(Width, 50);
        public override Size MaxPhysicalWindowSize => new(Width, 50);
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
