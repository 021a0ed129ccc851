using Octopus.Disks.Model;
using Octopus.Domain;
using Octopus.Domain.Units;

namespace Octopus.Disks.Backends;

/// <summary>The disk tree with no files: each "file" is a backing link plus the blocks written into it, kept in memory.
/// Reads resolve through the chain exactly as qcow2 does, and a rebase copies what the skipped disks held, so the
/// contract tests and property tests can check content, not only links.</summary>
public sealed class SimulatedDiskBackend : IDiskBackend
{
    /// <summary>The unit of a simulated guest write.</summary>
    public static readonly ByteSize BlockSize = ByteSize.FromMiB(1);

    /// <summary>What an empty qcow2 file takes (header, tables).</summary>
    public static readonly ByteSize HeaderSize = new(192 * 1024);

    private readonly Lock _gate = new();
    private readonly Dictionary<DiskId, SimFile> _files = [];
    private readonly TimeProvider _time;

    public SimulatedDiskBackend(TimeProvider time) => _time = time;

    private sealed class SimFile(DiskId? parent, ByteSize virtualSize, DateTimeOffset modified)
    {
        public DiskId? Parent { get; set; } = parent;
        public ByteSize VirtualSize { get; } = virtualSize;
        public Dictionary<long, byte> Blocks { get; } = [];
        public DateTimeOffset Modified { get; set; } = modified;
        public ByteSize Size => HeaderSize + new ByteSize(Blocks.Count * BlockSize.Bytes);
    }

    public Task<StoredDisk> CreateBaseAsync(DiskId id, ByteSize virtualSize, CancellationToken cancellationToken = default)
    {
        if (virtualSize.Bytes <= 0) throw DomainException.Invalid("size", "A disk needs a positive size, e.g. 10GiB.");
        lock (_gate)
        {
            var f = _files[id] = new SimFile(null, virtualSize, _time.GetUtcNow());
            return Task.FromResult(new StoredDisk(id, null, virtualSize, f.Size));
        }
    }

    public Task<StoredDisk> ImportAsync(DiskId id, string sourcePath, DiskImageFormat? format, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(sourcePath);
        if (!info.Exists) throw DomainException.Invalid("file", $"The image file '{sourcePath}' does not exist or is not a file.");
        var blocks = format is null or DiskImageFormat.Raw ? RawBlocks(sourcePath) : [];
        lock (_gate)
        {
            var f = _files[id] = new SimFile(null, new ByteSize(Math.Max(info.Length, BlockSize.Bytes)), _time.GetUtcNow());
            foreach (var (block, value) in blocks) f.Blocks[block] = value;
            return Task.FromResult(new StoredDisk(id, null, f.VirtualSize, f.Size));
        }
    }

    /// <summary>A raw file's content in the simulator's terms: each block that is not all zero, as its first non-zero byte.</summary>
    private static Dictionary<long, byte> RawBlocks(string path)
    {
        var result = new Dictionary<long, byte>();
        using var stream = File.OpenRead(path);
        var buffer = new byte[BlockSize.Bytes];
        for (long block = 0; ; block++)
        {
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read == 0) break;
            var first = buffer.AsSpan(0, read).IndexOfAnyExcept((byte)0);
            if (first >= 0) result[block] = buffer[first];
        }
        return result;
    }

    public Task<ByteSize> CreateChildAsync(DiskId id, DiskId parent, ByteSize? virtualSize = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var p = Require(parent, "backing file");
            var f = _files[id] = new SimFile(parent, virtualSize ?? p.VirtualSize, _time.GetUtcNow());
            return Task.FromResult(f.Size);
        }
    }

    public Task<ByteSize> RebaseAsync(DiskId id, DiskId newParent, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var f = Require(id, "disk");
            Require(newParent, "new backing file");
            // Copy, nearest first, every block the old chain above newParent holds and this disk does not.
            var cur = f.Parent;
            while (cur is { } c && c != newParent)
            {
                var skipped = Require(c, "backing file");
                foreach (var (block, value) in skipped.Blocks) f.Blocks.TryAdd(block, value);
                cur = skipped.Parent;
            }
            if (cur is null)
            {
                // newParent is not an ancestor: keep qemu's semantics by also masking blocks newParent's chain holds.
                foreach (var block in ChainBlocks(newParent).Keys) f.Blocks.TryAdd(block, 0);
            }
            f.Parent = newParent;
            f.Modified = _time.GetUtcNow();
            return Task.FromResult(f.Size);
        }
    }

    public Task<StoredDisk?> InspectAsync(DiskId id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_files.TryGetValue(id, out var f) ? new StoredDisk(id, f.Parent, f.VirtualSize, f.Size) : null);
        }
    }

    public Task<IReadOnlyList<DiskId>> ReadChainAsync(DiskId id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var chain = new List<DiskId> { id };
            var f = Require(id, "disk");
            while (f.Parent is { } p)
            {
                f = Require(p, "backing file");
                chain.Add(p);
            }
            return Task.FromResult<IReadOnlyList<DiskId>>(chain);
        }
    }

    public Task DeleteAsync(DiskId id, CancellationToken cancellationToken = default)
    {
        lock (_gate) _files.Remove(id);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StoredFile>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<StoredFile>>(_files.Select(kv => new StoredFile(kv.Key, kv.Value.Size, kv.Value.Modified)).ToList());
    }

    /// <summary>Simulates the guest writing <paramref name="value"/> over one block of its disk.</summary>
    public void Write(DiskId id, long block, byte value)
    {
        lock (_gate)
        {
            var f = Require(id, "disk");
            f.Blocks[block] = value;
            f.Modified = _time.GetUtcNow();
        }
    }

    /// <summary>Reads one block through the backing chain, as the guest would see it (0 where nothing was written).</summary>
    public byte Read(DiskId id, long block)
    {
        lock (_gate) return ChainBlocks(id).GetValueOrDefault(block);
    }

    /// <summary>The whole content the guest sees: block → value, zero blocks left out.</summary>
    public IReadOnlyDictionary<long, byte> Content(DiskId id)
    {
        lock (_gate) return ChainBlocks(id).Where(kv => kv.Value != 0).ToDictionary();
    }

    private Dictionary<long, byte> ChainBlocks(DiskId id)
    {
        var result = new Dictionary<long, byte>();
        DiskId? cur = id;
        while (cur is { } c)
        {
            var f = Require(c, "backing file");
            foreach (var (block, value) in f.Blocks) result.TryAdd(block, value);
            cur = f.Parent;
        }
        return result;
    }

    private SimFile Require(DiskId id, string what) =>
        _files.TryGetValue(id, out var f) ? f : throw new DiskBackendException($"The {what} {id.FileName} does not exist in the simulated store.");
}
