using System.Text.Json;
using System.Text.Json.Serialization;
using Octopus.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Octopus.Cli.Rendering;

/// <summary>Where a command's results go. For people: Spectre tables on stdout, colour and spinners only when stdout is
/// a terminal. For scripts (<c>--json</c>): stdout carries only JSON; anything else goes to stderr.</summary>
public sealed class Output
{
    /// <summary>The API's own shapes and names (camelCase), indented for reading.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly CliHost _host;
    private readonly TextWriter _out;

    public Output(CliHost host, bool json)
    {
        _host = host;
        Json = json;
        var terminal = host.OutputIsTerminal;
        _out = terminal ? host.Out : new TrimmingWriter(host.Out);
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(_out),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        // A pipe has no width; 80 columns would wrap wide tables into unreadable, ungreppable cells.
        if (!terminal) Console.Profile.Width = 200;
    }

    public IAnsiConsole Console { get; }
    public bool Json { get; }

    /// <summary>True when a person is watching stdout: spinners and colour make sense.</summary>
    public bool Interactive => _host.OutputIsTerminal && !Json;

    public void WriteJson<T>(T value)
    {
        _out.Flush();
        _host.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
    }

    /// <summary>Writes out anything still buffered; called when a command ends.</summary>
    public void Flush() => _out.Flush();

    public void Write(IRenderable renderable) => Console.Write(renderable);

    /// <summary>A line for people; with --json it goes to stderr so stdout stays parseable.</summary>
    public void Note(string text)
    {
        if (Json) _host.Error.WriteLine(text);
        else Console.WriteLine(text);
    }

    /// <summary>A line of Spectre markup for people (dropped to plain text on stderr with --json).</summary>
    public void NoteMarkup(string markup)
    {
        if (Json) _host.Error.WriteLine(Markup.Remove(markup));
        else Console.MarkupLine(markup);
    }

    public void Warning(string text) => _host.Error.WriteLine("warning: " + text);

    public void Error(string message, string? hint)
    {
        _host.Error.WriteLine("error: " + message);
        if (hint is not null) _host.Error.WriteLine("  " + hint);
    }

    /// <summary>A table in the house look: rounded borders on a terminal; in a pipe no borders at all, one row per
    /// line under a header line (like <c>kubectl get</c>), so <c>grep</c> and <c>awk</c> work on it.</summary>
    public Table NewTable(params string[] columns)
    {
        var table = new Table { Border = _host.OutputIsTerminal ? TableBorder.Rounded : TableBorder.None };
        foreach (var c in columns)
        {
            var column = new TableColumn(new Markup($"[bold]{Markup.Escape(c)}[/]")).NoWrap();
            // Without borders, a single space between columns makes them run together.
            if (!_host.OutputIsTerminal) column.Padding = new Padding(0, 0, 3, 0);
            table.AddColumn(column);
        }
        return table;
    }
}
