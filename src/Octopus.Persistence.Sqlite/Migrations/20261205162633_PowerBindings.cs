using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octopus.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class PowerBindings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PowerBindings",
                columns: table => new
                {
                    HostId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Method = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Address = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    Port = table.Column<int>(type: "INTEGER", nullable: true),
                    User = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    SealedPassword = table.Column<string>(type: "TEXT", maxLength: 4096, nullable: true),
                    Mac = table.Column<string>(type: "TEXT", maxLength: 17, nullable: true),
                    Fallback = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PowerBindings");
        }
    }
}
