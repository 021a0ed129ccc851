using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octopus.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ObservedFigures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OperationFigures",
                columns: table => new
                {
                    OperationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Progress = table.Column<double>(type: "double precision", nullable: true),
                    StartedAt = table.Column<long>(type: "bigint", nullable: false),
                    EndedAt = table.Column<long>(type: "bigint", nullable: true),
                    TotalMilliseconds = table.Column<double>(type: "double precision", nullable: true),
                    DowntimeMilliseconds = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OperationFigures", x => x.OperationId);
                    table.ForeignKey(
                        name: "FK_OperationFigures_Operations_OperationId",
                        column: x => x.OperationId,
                        principalTable: "Operations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "VmLoads",
                columns: table => new
                {
                    VmId = table.Column<Guid>(type: "uuid", nullable: false),
                    Load = table.Column<double>(type: "double precision", nullable: false),
                    ObservedAt = table.Column<long>(type: "bigint", nullable: false),
                    History = table.Column<string>(type: "text", maxLength: 1024, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VmLoads", x => x.VmId);
                    table.ForeignKey(
                        name: "FK_VmLoads_Vms_VmId",
                        column: x => x.VmId,
                        principalTable: "Vms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OperationFigures");

            migrationBuilder.DropTable(
                name: "VmLoads");
        }
    }
}
