using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octopus.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ControlPlaneLeadership : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ClaimHolder",
                table: "Operations",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ClaimTerm",
                table: "Operations",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ControlPlaneLeadership",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Term = table.Column<long>(type: "bigint", nullable: false),
                    LeaderId = table.Column<Guid>(type: "uuid", nullable: true),
                    Since = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ControlPlaneLeadership", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ControlPlaneReplicas",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Address = table.Column<string>(type: "text", maxLength: 255, nullable: false),
                    StartedAt = table.Column<long>(type: "bigint", nullable: false),
                    LastSeenAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ControlPlaneReplicas", x => x.Id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ControlPlaneLeadership");

            migrationBuilder.DropTable(
                name: "ControlPlaneReplicas");

            migrationBuilder.DropColumn(
                name: "ClaimHolder",
                table: "Operations");

            migrationBuilder.DropColumn(
                name: "ClaimTerm",
                table: "Operations");
        }
    }
}
