namespace Octopus.Drivers.Qemu.Tests;

public sealed class ConsoleLogTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task ReadTail_LongerThanLimit_StartsAtALineBoundary()
    {
        // "line-1\n" .. "line-9\n" are 7 bytes each; the last 10 bytes are "-8\nline-9\n", cut to "line-9\n".
        await File.WriteAllTextAsync(_file, string.Concat(Enumerable.Range(1, 9).Select(i => $"line-{i}\n")), TestContext.Current.CancellationToken);

        var tail = await ConsoleLog.ReadTailAsync(_file, 10, TestContext.Current.CancellationToken);

        tail.Should().Be("line-9\n");
    }

    [Fact]
    public async Task ReadTail_ShorterThanLimit_WholeFile()
    {
        await File.WriteAllTextAsync(_file, "a\nb\n", TestContext.Current.CancellationToken);

        (await ConsoleLog.ReadTailAsync(_file, 1000, TestContext.Current.CancellationToken)).Should().Be("a\nb\n");
    }

    [Fact]
    public async Task ReadTail_NoFileYet_Empty()
    {
        (await ConsoleLog.ReadTailAsync(_file + ".none", 1000, TestContext.Current.CancellationToken)).Should().BeEmpty();
    }
}
