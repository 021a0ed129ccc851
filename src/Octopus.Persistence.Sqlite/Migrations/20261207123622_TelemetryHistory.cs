using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octopus.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class TelemetryHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "HostHistory",
                columns: table => new
                {
                    HostId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Resolution = table.Column<int>(type: "INTEGER", nullable: false),
                    Start = table.Column<long>(type: "INTEGER", nullable: false),
                    Samples = table.Column<int>(type: "INTEGER", nullable: false),
                    LoadSum = table.Column<double>(type: "REAL", nullable: false),
                    WattsSum = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HostHistory", x => new { x.HostId, x.Resolution, x.Start });
                    table.ForeignKey(
                        name: "FK_HostHistory_Hosts_HostId",
                        column: x => x.HostId,
                        principalTable: "Hosts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "VmHistory",
                columns: table => new
                {
                    VmId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Resolution = table.Column<int>(type: "INTEGER", nullable: false),
                    Start = table.Column<long>(type: "INTEGER", nullable: false),
                    Samples = table.Column<int>(type: "INTEGER", nullable: false),
                    CpuSum = table.Column<double>(type: "REAL", nullable: false),
                    MeasuredSamples = table.Column<int>(type: "INTEGER", nullable: false),
                    MemorySum = table.Column<double>(type: "REAL", nullable: false),
                    DiskReadSum = table.Column<double>(type: "REAL", nullable: false),
                    DiskWriteSum = table.Column<double>(type: "REAL", nullable: false),
                    NetReceiveSum = table.Column<double>(type: "REAL", nullable: false),
                    NetTransmitSum = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VmHistory", x => new { x.VmId, x.Resolution, x.Start });
                    table.ForeignKey(
                        name: "FK_VmHistory_Vms_VmId",
                        column: x => x.VmId,
                        principalTable: "Vms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_HostHistory_Resolution_Start",
                table: "HostHistory",
                columns: new[] { "Resolution", "Start" });

            migrationBuilder.CreateIndex(
                name: "IX_VmHistory_Resolution_Start",
                table: "VmHistory",
                columns: new[] { "Resolution", "Start" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "HostHistory");

            migrationBuilder.DropTable(
                name: "VmHistory");
        }
    }
}
