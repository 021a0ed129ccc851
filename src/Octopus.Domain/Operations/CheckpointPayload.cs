using System.Text.Json;

namespace Octopus.Domain.Operations;

/// <summary>What a <see cref="OperationKind.CheckpointVm"/> operation takes: the checkpoint's name (chosen when the
/// policy's command is accepted, so a run resumed after a crash finds the checkpoint it already took instead of taking a
/// second), the policy that takes it, and the retention to apply after it (neither rule: keep every checkpoint).</summary>
public sealed record CheckpointPayload(string Name, string Policy, int? KeepLast = null, TimeSpan? NewerThan = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Format() => JsonSerializer.Serialize(this, Json);

    public static CheckpointPayload Parse(string? text)
    {
        CheckpointPayload? payload = null;
        try
        {
            payload = text is null ? null : JsonSerializer.Deserialize<CheckpointPayload>(text, Json);
        }
        catch (JsonException)
        {
        }
        if (payload is null || string.IsNullOrEmpty(payload.Name) || string.IsNullOrEmpty(payload.Policy))
            throw new FormatException($"'{text}' is not a checkpoint payload ({{name, policy, keepLast?, newerThan?}}).");
        return payload;
    }
}
