"""Entity types and their numeric attributes that a live KPI can aggregate.

Derived from the Smart Data Models (smartdatamodels.org, FIWARE Foundation, CC-BY-4.0;
WeatherObserved … WasteContainer at the commits listed in docs/strategy.md): the attributes
of type number of each model. A live KPI query naming anything else is rejected.
"""

NUMERIC_ATTRIBUTES: dict[str, frozenset[str]] = {
    "ACMeasurement": frozenset(
        {
            "frequency",
            "totalActiveEnergyExport",
            "totalActiveEnergyImport",
            "totalActivePower",
            "totalApparentEnergyExport",
            "totalApparentEnergyImport",
            "totalApparentPower",
            "totalDisplacementPowerFactor",
            "totalPowerFactor",
            "totalReactiveEnergyExport",
            "totalReactiveEnergyImport",
            "totalReactivePower",
        }
    ),
    "AirQualityObserved": frozenset(
        {
            "airQualityIndex",
            "as",
            "c6h6",
            "cd",
            "charge",
            "co",
            "co2",
            "ni",
            "no",
            "no2",
            "nox",
            "o3",
            "pb",
            "pm1",
            "pm10",
            "pm25",
            "pm4",
            "precipitation",
            "pressure",
            "relativeHumidity",
            "reliability",
            "sh2",
            "so2",
            "temperature",
            "tpc",
            "tsp",
            "volatileOrganicCompoundsTotal",
            "windDirection",
            "windSpeed",
        }
    ),
    "BikeHireDockingStation": frozenset(
        {
            "availableBikeNumber",
            "freeSlotNumber",
            "outOfServiceSlotNumber",
            "totalSlotNumber",
        }
    ),
    "Device": frozenset(
        {
            "batteryLevel",
            "depth",
            "distance",
            "rssi",
        }
    ),
    "DeviceMeasurement": frozenset(
        {
            "numValue",
        }
    ),
    "EVChargingStation": frozenset(
        {
            "amountCollected",
            "amperage",
            "availableCapacity",
            "capacity",
            "powerConsumption",
            "socketNumber",
            "taxAmountCollected",
            "voltage",
        }
    ),
    "FlowerBed": frozenset(
        {
            "depth",
            "width",
        }
    ),
    "GreenspaceRecord": frozenset(
        {
            "litterCoverage",
            "soilMoistureEc",
            "soilMoisturePressure",
            "soilMoistureVwc",
            "soilTemperature",
        }
    ),
    "NoiseLevelObserved": frozenset(
        {
            "LAS",
            "LAeq",
            "LAeq_d",
            "LAmax",
        }
    ),
    "OffStreetParking": frozenset(
        {
            "availableSpotNumber",
            "averageSpotLength",
            "averageSpotWidth",
            "extraSpotNumber",
            "firstAvailableFloor",
            "highestFloor",
            "lowestFloor",
            "maximumAllowedHeight",
            "maximumAllowedWidth",
            "measuresPeriod",
            "occupancy",
            "occupiedSpotNumber",
            "outOfServiceSlotNumber",
            "priceRatePerMinute",
            "totalSpotNumber",
            "vehicleEntranceCount",
            "vehicleExitCount",
        }
    ),
    "OnStreetParking": frozenset(
        {
            "availableSpotNumber",
            "averageSpotLength",
            "averageSpotWidth",
            "extraSpotNumber",
            "occupiedSpotNumber",
            "outOfServiceSlotNumber",
            "totalSpotNumber",
        }
    ),
    "ParkingSpot": frozenset(
        {
            "length",
            "width",
        }
    ),
    "SolarEnergy": frozenset(
        {
            "energyGenerated",
            "frequency",
            "maxSolarPowerMeasure",
            "totalActivePower",
            "totalEnergyGenerated",
            "totalReactivePower",
            "voltage",
        }
    ),
    "Streetlight": frozenset(
        {
            "current",
            "illuminanceLevel",
            "lanternHeight",
            "lifetimeMotionDetected",
            "lifetimePowerConsumption",
            "powerConsumption",
            "powerFactor",
            "powerRating",
            "voltage",
        }
    ),
    "ThreePhaseAcMeasurement": frozenset(
        {
            "frequency",
            "totalActiveEnergyExport",
            "totalActiveEnergyImport",
            "totalActivePower",
            "totalApparentEnergyExport",
            "totalApparentEnergyImport",
            "totalApparentPower",
            "totalDisplacementPowerFactor",
            "totalPowerFactor",
            "totalReactiveEnergyExport",
            "totalReactiveEnergyImport",
            "totalReactivePower",
        }
    ),
    "TrafficFlowObserved": frozenset(
        {
            "averageGapDistance",
            "averageHeadwayTime",
            "averageVehicleLength",
            "averageVehicleSpeed",
            "intensity",
            "laneId",
            "occupancy",
        }
    ),
    "WasteContainer": frozenset(
        {
            "binCapacity",
            "binFullnessThreshold",
            "binMaxLoad",
            "binRecommendedLoad",
            "cargoWeight",
            "fillingLevel",
            "methaneConcentration",
            "temperature",
        }
    ),
    "WeatherForecast": frozenset(
        {
            "atmosphericPressure",
            "feelsLikeTemperature",
            "gustSpeed",
            "illuminance",
            "precipitation",
            "precipitationProbability",
            "relativeHumidity",
            "temperature",
            "uVIndexMax",
            "visibility",
            "windDirection",
            "windSpeed",
        }
    ),
    "WeatherObserved": frozenset(
        {
            "airQualityIndex",
            "airQualityIndexForecast",
            "airTemperatureForecast",
            "atmosphericPressure",
            "dewPoint",
            "diffuseIrradiation",
            "directIrradiation",
            "feelsLikeTemperature",
            "gustSpeed",
            "illuminance",
            "precipitation",
            "precipitationForecast",
            "pressureTendency",
            "relativeHumidity",
            "relativeHumidityForecast",
            "snowHeight",
            "solarRadiation",
            "streamGauge",
            "temperature",
            "uVIndexMax",
            "visibility",
            "windDirection",
            "windSpeed",
        }
    ),
}
