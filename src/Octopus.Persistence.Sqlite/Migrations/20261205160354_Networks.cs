using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octopus.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Networks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Networks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Bridge = table.Column<string>(type: "TEXT", maxLength: 15, nullable: false),
                    Vlan = table.Column<int>(type: "INTEGER", nullable: true),
                    Subnet = table.Column<string>(type: "TEXT", maxLength: 18, nullable: false),
                    Gateway = table.Column<string>(type: "TEXT", maxLength: 15, nullable: false),
                    Range = table.Column<string>(type: "TEXT", maxLength: 31, nullable: false),
                    Domain = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false),
                    Users = table.Column<string>(type: "TEXT", maxLength: 8192, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Networks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Nics",
                columns: table => new
                {
                    VmId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Slot = table.Column<int>(type: "INTEGER", nullable: false),
                    NetworkId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Mac = table.Column<string>(type: "TEXT", maxLength: 17, nullable: false),
                    Address = table.Column<string>(type: "TEXT", maxLength: 15, nullable: false),
                    HostName = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Nics");

            migrationBuilder.DropTable(
                name: "Networks");
        }
    }
}
