using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Octopus.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Agents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "text", maxLength: 63, nullable: false),
                    Url = table.Column<string>(type: "text", maxLength: 512, nullable: false),
                    Secret = table.Column<string>(type: "text", maxLength: 128, nullable: false),
                    RegisteredAt = table.Column<long>(type: "bigint", nullable: false),
                    LastHeardAt = table.Column<long>(type: "bigint", nullable: false),
                    LastSequence = table.Column<long>(type: "bigint", nullable: false),
                    Failed = table.Column<bool>(type: "boolean", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Agents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Audit",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    At = table.Column<long>(type: "bigint", nullable: false),
                    Actor = table.Column<string>(type: "text", maxLength: 64, nullable: false),
                    Action = table.Column<string>(type: "text", maxLength: 64, nullable: false),
                    Target = table.Column<string>(type: "text", maxLength: 256, nullable: false),
                    Succeeded = table.Column<bool>(type: "boolean", nullable: false),
                    Result = table.Column<string>(type: "text", maxLength: 2048, nullable: false),
                    Details = table.Column<string>(type: "text", maxLength: 4096, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Audit", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DiskIntents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "text", maxLength: 16, nullable: false),
                    Operation = table.Column<string>(type: "text", maxLength: 256, nullable: false),
                    StartedAt = table.Column<long>(type: "bigint", nullable: false),
                    Files = table.Column<string>(type: "text", maxLength: 16384, nullable: false),
                    RebaseDisk = table.Column<Guid>(type: "uuid", nullable: true),
                    RebaseFrom = table.Column<Guid>(type: "uuid", nullable: true),
                    RebaseTo = table.Column<Guid>(type: "uuid", nullable: true),
                    LiveVm = table.Column<Guid>(type: "uuid", nullable: true),
                    LiveFrom = table.Column<Guid>(type: "uuid", nullable: true),
                    LiveTo = table.Column<Guid>(type: "uuid", nullable: true),
                    LiveSnapshot = table.Column<string>(type: "text", maxLength: 63, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DiskIntents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Disks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ParentId = table.Column<Guid>(type: "uuid", nullable: true),
                    OriginId = table.Column<Guid>(type: "uuid", nullable: true),
                    Role = table.Column<string>(type: "text", maxLength: 16, nullable: false),
                    OwnerId = table.Column<Guid>(type: "uuid", nullable: false),
                    VmId = table.Column<Guid>(type: "uuid", nullable: true),
                    Image = table.Column<string>(type: "text", maxLength: 63, nullable: true),
                    Name = table.Column<string>(type: "text", maxLength: 63, nullable: true),
                    CheckpointPolicy = table.Column<string>(type: "text", maxLength: 63, nullable: true),
                    CheckpointTakenAt = table.Column<long>(type: "bigint", nullable: true),
                    VirtualSizeBytes = table.Column<long>(type: "bigint", nullable: false),
                    FileSizeBytes = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UnreachableSince = table.Column<long>(type: "bigint", nullable: true),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Disks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Hosts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "text", maxLength: 63, nullable: false),
                    PowerModel = table.Column<string>(type: "text", maxLength: 512, nullable: false),
                    PowerState = table.Column<string>(type: "text", maxLength: 16, nullable: false),
                    Maintenance = table.Column<bool>(type: "boolean", nullable: false),
                    PowerStateChangedAt = table.Column<long>(type: "bigint", nullable: false),
                    Load = table.Column<double>(type: "double precision", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false),
                    MeasuredWatts = table.Column<double>(type: "double precision", nullable: true),
                    MeasuredAt = table.Column<long>(type: "bigint", nullable: true),
                    Cores = table.Column<int>(type: "integer", nullable: false),
                    DiskBytes = table.Column<long>(type: "bigint", nullable: false),
                    MemoryBytes = table.Column<long>(type: "bigint", nullable: false),
                    MipsPerCore = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Hosts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Images",
                columns: table => new
                {
                    Name = table.Column<string>(type: "text", maxLength: 63, nullable: false),
                    SizeBytes = table.Column<long>(type: "bigint", nullable: false),
                    Source = table.Column<string>(type: "text", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Images", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "LoginThrottle",
                columns: table => new
                {
                    Name = table.Column<string>(type: "text", maxLength: 64, nullable: false),
                    Failures = table.Column<int>(type: "integer", nullable: false),
                    LastFailureAt = table.Column<long>(type: "bigint", nullable: false),
                    LockedUntil = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LoginThrottle", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "Networks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "text", maxLength: 32, nullable: false),
                    Bridge = table.Column<string>(type: "text", maxLength: 15, nullable: false),
                    Vlan = table.Column<int>(type: "integer", nullable: true),
                    Subnet = table.Column<string>(type: "text", maxLength: 18, nullable: false),
                    Gateway = table.Column<string>(type: "text", maxLength: 15, nullable: false),
                    Range = table.Column<string>(type: "text", maxLength: 31, nullable: false),
                    Domain = table.Column<string>(type: "text", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false),
                    Users = table.Column<string>(type: "text", maxLength: 8192, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Networks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Operations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "text", maxLength: 32, nullable: false),
                    VmId = table.Column<Guid>(type: "uuid", nullable: true),
                    HostId = table.Column<Guid>(type: "uuid", nullable: true),
                    TargetHostId = table.Column<Guid>(type: "uuid", nullable: true),
                    Status = table.Column<string>(type: "text", maxLength: 16, nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    Error = table.Column<string>(type: "text", maxLength: 2048, nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    CompletedAt = table.Column<long>(type: "bigint", nullable: true),
                    Actor = table.Column<string>(type: "text", maxLength: 64, nullable: false),
                    Reason = table.Column<string>(type: "text", maxLength: 1024, nullable: true),
                    Steps = table.Column<string>(type: "text", nullable: true),
                    Payload = table.Column<string>(type: "text", maxLength: 1024, nullable: true),
                    ErrorCode = table.Column<string>(type: "text", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Operations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Placements",
                columns: table => new
                {
                    VmId = table.Column<Guid>(type: "uuid", nullable: false),
                    DecidedAt = table.Column<long>(type: "bigint", nullable: false),
                    Summary = table.Column<string>(type: "text", maxLength: 1024, nullable: false),
                    DecisionJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Placements", x => x.VmId);
                });

            migrationBuilder.CreateTable(
                name: "Policies",
                columns: table => new
                {
                    Name = table.Column<string>(type: "text", maxLength: 63, nullable: false),
                    Owner = table.Column<string>(type: "text", maxLength: 32, nullable: false),
                    Scope = table.Column<string>(type: "text", maxLength: 16, nullable: false),
                    Document = table.Column<string>(type: "text", maxLength: 65536, nullable: false),
                    IsScript = table.Column<bool>(type: "boolean", nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false),
                    LastRunAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Policies", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "PolicyActions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Policy = table.Column<string>(type: "text", maxLength: 63, nullable: false),
                    At = table.Column<long>(type: "bigint", nullable: false),
                    VmId = table.Column<Guid>(type: "uuid", nullable: false),
                    VmName = table.Column<string>(type: "text", maxLength: 63, nullable: false),
                    Action = table.Column<string>(type: "text", maxLength: 32, nullable: false),
                    Parameters = table.Column<string>(type: "text", maxLength: 1024, nullable: false),
                    Result = table.Column<string>(type: "text", maxLength: 16, nullable: false),
                    Reason = table.Column<string>(type: "text", maxLength: 2048, nullable: false),
                    Attempt = table.Column<int>(type: "integer", nullable: false),
                    Error = table.Column<string>(type: "text", maxLength: 2048, nullable: true),
                    NextAttemptAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PolicyActions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PolicyWarnings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Policy = table.Column<string>(type: "text", maxLength: 63, nullable: false),
                    VmId = table.Column<Guid>(type: "uuid", nullable: false),
                    SentAt = table.Column<long>(type: "bigint", nullable: false),
                    LeaseExpiresAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PolicyWarnings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PowerHistory",
                columns: table => new
                {
                    Start = table.Column<long>(type: "bigint", nullable: false),
                    Samples = table.Column<int>(type: "integer", nullable: false),
                    WattsSum = table.Column<double>(type: "double precision", nullable: false),
                    AllOnSum = table.Column<double>(type: "double precision", nullable: false),
                    ActiveSum = table.Column<double>(type: "double precision", nullable: false),
                    ActiveMax = table.Column<int>(type: "integer", nullable: false),
                    Hosts = table.Column<int>(type: "integer", nullable: false),
                    Joules = table.Column<double>(type: "double precision", nullable: false),
                    AllOnJoules = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PowerHistory", x => x.Start);
                });

            migrationBuilder.CreateTable(
                name: "Settings",
                columns: table => new
                {
                    Key = table.Column<string>(type: "text", maxLength: 64, nullable: false),
                    Value = table.Column<string>(type: "text", maxLength: 4096, nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Settings", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "Users",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "text", maxLength: 32, nullable: false),
                    Role = table.Column<string>(type: "text", maxLength: 16, nullable: false),
                    PasswordHash = table.Column<string>(type: "text", maxLength: 256, nullable: false),
                    Quota = table.Column<string>(type: "text", maxLength: 512, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    Provider = table.Column<string>(type: "text", maxLength: 16, nullable: false, defaultValue: "local"),
                    ExternalId = table.Column<string>(type: "text", maxLength: 512, nullable: true),
                    DisabledAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Users", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PowerBindings",
                columns: table => new
                {
                    HostId = table.Column<Guid>(type: "uuid", nullable: false),
                    Method = table.Column<string>(type: "text", maxLength: 16, nullable: false),
                    Address = table.Column<string>(type: "text", maxLength: 512, nullable: true),
                    Port = table.Column<int>(type: "integer", nullable: true),
                    User = table.Column<string>(type: "text", maxLength: 64, nullable: true),
                    SealedPassword = table.Column<string>(type: "text", maxLength: 4096, nullable: true),
                    Mac = table.Column<string>(type: "text", maxLength: 17, nullable: true),
                    Fallback = table.Column<string>(type: "text", maxLength: 128, nullable: false),
                    TlsPinSha256 = table.Column<string>(type: "text", nullable: true),
                    CaCertificatePem = table.Column<string>(type: "text", nullable: true),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PowerBindings", x => x.HostId);
                    table.ForeignKey(
                        name: "FK_PowerBindings_Hosts_HostId",
                        column: x => x.HostId,
                        principalTable: "Hosts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ApiTokens",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TokenHash = table.Column<string>(type: "text", maxLength: 64, nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<string>(type: "text", maxLength: 16, nullable: false, defaultValue: "login"),
                    Name = table.Column<string>(type: "text", maxLength: 64, nullable: true),
                    Scopes = table.Column<string>(type: "text", maxLength: 64, nullable: false, defaultValue: "read write admin")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiTokens", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ApiTokens_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "OwnerQuotaLocks",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OwnerQuotaLocks", x => x.UserId);
                    table.ForeignKey(
                        name: "FK_OwnerQuotaLocks_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Vms",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "text", maxLength: 63, nullable: false),
                    OwnerId = table.Column<Guid>(type: "uuid", nullable: false),
                    Spec = table.Column<string>(type: "text", maxLength: 16, nullable: false),
                    State = table.Column<string>(type: "text", maxLength: 16, nullable: false),
                    HostId = table.Column<Guid>(type: "uuid", nullable: true),
                    StatusReason = table.Column<string>(type: "text", maxLength: 1024, nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    StateChangedAt = table.Column<long>(type: "bigint", nullable: false),
                    StartedAt = table.Column<long>(type: "bigint", nullable: true),
                    LeaseExpiresAt = table.Column<long>(type: "bigint", nullable: true),
                    Version = table.Column<long>(type: "bigint", nullable: false),
                    Tags = table.Column<string>(type: "text", maxLength: 4096, nullable: false),
                    Cores = table.Column<int>(type: "integer", nullable: false),
                    DiskBytes = table.Column<long>(type: "bigint", nullable: false),
                    Image = table.Column<string>(type: "text", maxLength: 63, nullable: false),
                    MemoryBytes = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Vms", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Vms_Hosts_HostId",
                        column: x => x.HostId,
                        principalTable: "Hosts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Vms_Users_OwnerId",
                        column: x => x.OwnerId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Nics",
                columns: table => new
                {
                    VmId = table.Column<Guid>(type: "uuid", nullable: false),
                    Slot = table.Column<int>(type: "integer", nullable: false),
                    NetworkId = table.Column<Guid>(type: "uuid", nullable: false),
                    Mac = table.Column<string>(type: "text", maxLength: 17, nullable: false),
                    Address = table.Column<string>(type: "text", maxLength: 15, nullable: false),
                    HostName = table.Column<string>(type: "text", maxLength: 63, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Nics", x => new { x.VmId, x.Slot });
                    table.ForeignKey(
                        name: "FK_Nics_Networks_NetworkId",
                        column: x => x.NetworkId,
                        principalTable: "Networks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Nics_Vms_VmId",
                        column: x => x.VmId,
                        principalTable: "Vms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_TokenHash",
                table: "ApiTokens",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_UserId",
                table: "ApiTokens",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_Audit_At",
                table: "Audit",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_Disks_ParentId",
                table: "Disks",
                column: "ParentId");

            migrationBuilder.CreateIndex(
                name: "IX_Disks_VmId",
                table: "Disks",
                column: "VmId");

            migrationBuilder.CreateIndex(
                name: "IX_Hosts_Name",
                table: "Hosts",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Networks_Bridge",
                table: "Networks",
                column: "Bridge",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Networks_Name",
                table: "Networks",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Nics_Mac",
                table: "Nics",
                column: "Mac",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Nics_NetworkId_Address",
                table: "Nics",
                columns: new[] { "NetworkId", "Address" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Nics_NetworkId_HostName",
                table: "Nics",
                columns: new[] { "NetworkId", "HostName" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Operations_Status",
                table: "Operations",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_Policies_Owner",
                table: "Policies",
                column: "Owner");

            migrationBuilder.CreateIndex(
                name: "IX_PolicyActions_NextAttemptAt",
                table: "PolicyActions",
                column: "NextAttemptAt");

            migrationBuilder.CreateIndex(
                name: "IX_PolicyActions_Policy_At",
                table: "PolicyActions",
                columns: new[] { "Policy", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_PolicyWarnings_Policy_VmId",
                table: "PolicyWarnings",
                columns: new[] { "Policy", "VmId" });

            migrationBuilder.CreateIndex(
                name: "IX_Users_Name",
                table: "Users",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Users_Provider_ExternalId",
                table: "Users",
                columns: new[] { "Provider", "ExternalId" });

            migrationBuilder.CreateIndex(
                name: "IX_Vms_HostId",
                table: "Vms",
                column: "HostId");

            migrationBuilder.CreateIndex(
                name: "IX_Vms_OwnerId_Name",
                table: "Vms",
                columns: new[] { "OwnerId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Vms_State",
                table: "Vms",
                column: "State");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Agents");

            migrationBuilder.DropTable(
                name: "ApiTokens");

            migrationBuilder.DropTable(
                name: "Audit");

            migrationBuilder.DropTable(
                name: "DiskIntents");

            migrationBuilder.DropTable(
                name: "Disks");

            migrationBuilder.DropTable(
                name: "Images");

            migrationBuilder.DropTable(
                name: "LoginThrottle");

            migrationBuilder.DropTable(
                name: "Nics");

            migrationBuilder.DropTable(
                name: "Operations");

            migrationBuilder.DropTable(
                name: "OwnerQuotaLocks");

            migrationBuilder.DropTable(
                name: "Placements");

            migrationBuilder.DropTable(
                name: "Policies");

            migrationBuilder.DropTable(
                name: "PolicyActions");

            migrationBuilder.DropTable(
                name: "PolicyWarnings");

            migrationBuilder.DropTable(
                name: "PowerBindings");

            migrationBuilder.DropTable(
                name: "PowerHistory");

            migrationBuilder.DropTable(
                name: "Settings");

            migrationBuilder.DropTable(
                name: "Networks");

            migrationBuilder.DropTable(
                name: "Vms");

            migrationBuilder.DropTable(
                name: "Hosts");

            migrationBuilder.DropTable(
                name: "Users");
        }
    }
}
