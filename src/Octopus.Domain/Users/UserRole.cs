namespace Octopus.Domain.Users;

/// <summary>What a user may do: <see cref="User"/> owns VMs; <see cref="Admin"/> sees and steers everything.</summary>
public enum UserRole
{
    User,
    Admin,
}
