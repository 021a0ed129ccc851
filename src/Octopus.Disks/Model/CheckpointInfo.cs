namespace Octopus.Disks.Model;

/// <summary>Why and when a policy took a checkpoint; retention rules read it.</summary>
/// <param name="Policy">Name of the policy that took it, shown in the tree and the audit log.</param>
/// <param name="TakenAt">When it was taken; "keep newer than T" compares against this.</param>
public sealed record CheckpointInfo(string Policy, DateTimeOffset TakenAt);
