using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octopus.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class PowerHistoryInStore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PowerHistory",
                columns: table => new
                {
                    Start = table.Column<long>(type: "INTEGER", nullable: false),
                    Samples = table.Column<int>(type: "INTEGER", nullable: false),
                    WattsSum = table.Column<double>(type: "REAL", nullable: false),
                    AllOnSum = table.Column<double>(type: "REAL", nullable: false),
                    ActiveSum = table.Column<double>(type: "REAL", nullable: false),
                    ActiveMax = table.Column<int>(type: "INTEGER", nullable: false),
                    Hosts = table.Column<int>(type: "INTEGER", nullable: false),
                    Joules = table.Column<double>(type: "REAL", nullable: false),
                    AllOnJoules = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PowerHistory", x => x.Start);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PowerHistory");
        }
    }
}
