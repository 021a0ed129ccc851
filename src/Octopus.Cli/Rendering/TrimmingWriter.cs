using System.Text;

namespace Octopus.Cli.Rendering;

/// <summary>Drops the trailing spaces Spectre pads every table line with, so piped output is greppable and diffable.
/// Buffers one line at a time; <see cref="Flush"/> writes any unfinished line.</summary>
internal sealed class TrimmingWriter(TextWriter inner) : TextWriter
{
    private readonly StringBuilder _line = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (value == '\n')
        {
            inner.Write(TrimmedLine());
            inner.Write('\n');
        }
        else
        {
            _line.Append(value);
        }
    }

    public override void Write(string? value)
    {
        if (value is null) return;
        foreach (var c in value) Write(c);
    }

    public override void Flush()
    {
        if (_line.Length > 0) inner.Write(TrimmedLine());
        inner.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Flush();
        base.Dispose(disposing);
    }

    private string TrimmedLine()
    {
        var text = _line.ToString().TrimEnd(' ', '\r');
        _line.Clear();
        return text;
    }
}
