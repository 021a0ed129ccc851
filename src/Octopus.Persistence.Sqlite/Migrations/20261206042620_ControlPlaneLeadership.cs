using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octopus.Persistence.Sqlite.Migrations
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ClaimTerm",
                table: "Operations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ControlPlaneLeadership",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Term = table.Column<long>(type: "INTEGER", nullable: false),
                    LeaderId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Since = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ControlPlaneLeadership", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ControlPlaneReplicas",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Address = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeenAt = table.Column<long>(type: "INTEGER", nullable: false)
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
