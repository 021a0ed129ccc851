using System.Text;

namespace Octopus.Drivers.Simulated;

/// <summary>What a simulated VM's serial port reaches: a terminal in cooked mode (it echoes what is typed, Backspace
/// erases, Ctrl-C drops the line, Ctrl-U erases it, arrow keys are ignored) in front of a login prompt and a shell that
/// knows a handful of commands (<c>echo</c>, <c>hostname</c>, <c>uname</c>, <c>whoami</c>, <c>help</c>, <c>exit</c>).
/// Any user name logs in (the simulation holds no secrets). Enough for a person or a test to see that keystrokes reach
/// the guest and its answers come back; not a real shell.</summary>
internal sealed class SimulatedShell(string hostname)
{
    /// <summary>Longest line the terminal keeps; further keystrokes are ignored until Enter, as a full tty buffer would.</summary>
    public const int MaxLineBytes = 1024;

    private readonly List<byte> _line = [];
    private string? _user;
    private bool _afterCr;
    private EscapeState _escape;

    private enum EscapeState { None, Esc, Csi, Ss3 }

    /// <summary>What the port shows when a console attaches: a line naming the guest, then the login prompt.</summary>
    public byte[] Greet() => Bytes($"\r\nOctopus simulated guest {hostname} (ttyS0)\r\n\r\n{hostname} login: ");

    /// <summary>The guest was reset: the boot lines and a fresh login prompt; whoever was logged in is not any more.</summary>
    public byte[] Reboot()
    {
        _user = null;
        _line.Clear();
        return Bytes($"\r\nreboot: Restarting system\r\nLinux version 6.1.0-octopus-sim (simulated guest) #1 SMP\r\n\r\n{hostname} login: ");
    }

    /// <summary>Feeds typed bytes to the terminal; returns what it prints in answer (echo and command output).</summary>
    public byte[] Type(ReadOnlySpan<byte> typed)
    {
        var output = new List<byte>(typed.Length + 16);
        foreach (var b in typed)
        {
            var afterCr = _afterCr;
            _afterCr = false;
            // ESC [ ... final and ESC O x (arrow keys, Home, F-keys): a cooked tty with no line editing ignores them.
            switch (_escape)
            {
                case EscapeState.Esc:
                    _escape = b == (byte)'[' ? EscapeState.Csi : b == (byte)'O' ? EscapeState.Ss3 : EscapeState.None;
                    continue;
                case EscapeState.Csi:
                    if (b is >= 0x40 and <= 0x7e) _escape = EscapeState.None;
                    continue;
                case EscapeState.Ss3:
                    _escape = EscapeState.None;
                    continue;
                case EscapeState.None:
                    break;
            }
            switch (b)
            {
                case (byte)'\r':
                    _afterCr = true;
                    Enter(output);
                    break;
                case (byte)'\n':
                    if (!afterCr) Enter(output); // "\r\n" is one Enter
                    break;
                case 0x7f or 0x08:
                    if (_line.Count == 0) break;
                    // Remove one whole UTF-8 character: its continuation bytes (10xxxxxx) and its lead byte.
                    while (_line.Count > 1 && (_line[^1] & 0xC0) == 0x80) _line.RemoveAt(_line.Count - 1);
                    _line.RemoveAt(_line.Count - 1);
                    output.AddRange("\b \b"u8);
                    break;
                case 0x03: // Ctrl-C
                    _line.Clear();
                    output.AddRange("^C\r\n"u8);
                    output.AddRange(Prompt());
                    break;
                case 0x15: // Ctrl-U
                    for (var i = Encoding.UTF8.GetCharCount([.. _line]); i > 0; i--) output.AddRange("\b \b"u8);
                    _line.Clear();
                    break;
                case 0x04: // Ctrl-D on an empty line logs out
                    if (_line.Count == 0 && _user is not null)
                    {
                        output.AddRange("logout\r\n"u8);
                        _user = null;
                        output.AddRange(Prompt());
                    }
                    break;
                case 0x1b:
                    _escape = EscapeState.Esc;
                    break;
                case < 0x20:
                    break; // other control keys do nothing here
                default:
                    if (_line.Count >= MaxLineBytes) break;
                    _line.Add(b);
                    output.Add(b);
                    break;
            }
        }
        return [.. output];
    }

    private void Enter(List<byte> output)
    {
        var text = Encoding.UTF8.GetString([.. _line]).Trim();
        _line.Clear();
        output.AddRange("\r\n"u8);
        if (_user is null)
        {
            if (text.Length > 0)
            {
                _user = text.Split(' ')[0];
                output.AddRange(Bytes("Welcome to the Octopus simulated guest. Type 'help' for its commands.\r\n"));
            }
        }
        else
        {
            output.AddRange(Run(text));
        }
        output.AddRange(Prompt());
    }

    private byte[] Run(string command)
    {
        if (command.Length == 0) return [];
        var space = command.IndexOf(' ', StringComparison.Ordinal);
        var (name, args) = space < 0 ? (command, "") : (command[..space], command[(space + 1)..].Trim());
        switch (name)
        {
            case "echo": return Bytes(args + "\r\n");
            case "hostname": return Bytes(hostname + "\r\n");
            case "whoami": return Bytes(_user + "\r\n");
            case "uname": return Bytes(args == "-a" ? $"Linux {hostname} 6.1.0-octopus-sim #1 SMP x86_64 GNU/Linux\r\n" : "Linux\r\n");
            case "help": return Bytes("commands: echo TEXT, hostname, uname [-a], whoami, help, exit\r\n");
            case "exit" or "logout":
                _user = null;
                return [];
            default: return Bytes($"-sh: {name}: not found\r\n");
        }
    }

    private byte[] Prompt() => Bytes(_user is null ? $"{hostname} login: " : $"{_user}@{hostname}:~{(_user == "root" ? "#" : "$")} ");

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
